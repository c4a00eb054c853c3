/**
 * What banks and card networks add around a merchant's name in a statement line:
 * the payment channel, processor prefixes, and the location fields of a card
 * network's merchant record. `merchants.ts` strips these to find the name (with
 * `descriptor-channel.ts` and `descriptor-words.ts`).
 */

/** How the money moved, as far as the descriptor tells. */
export type PaymentChannel = 'CARD' | 'DIRECT_DEBIT' | 'STANDING_ORDER' | 'TRANSFER' | 'ATM' | 'DEPOSIT' | 'CHEQUE';

/**
 * Words a bank prints before the counterparty, by channel: Barclays "CARD PAYMENT TO",
 * Lloyds/HSBC type codes (DEB, DD, SO, FPO, FPI, BGC, CPT, VIS, ")))"), Santander
 * "DIRECT DEBIT PAYMENT TO", Nationwide "Contactless Payment", US "POS DEBIT",
 * "CHECKCARD", "PURCHASE AUTHORIZED ON", Revolut "To"/"Payment from".
 */
export const CHANNEL_PREFIXES: Readonly<Record<PaymentChannel, readonly string[]>> = {
  CARD: [
    'CARD PAYMENT TO', 'CARD PAYMENT', 'CARD PURCHASE AT', 'CARD PURCHASE', 'CARD TRANSACTION',
    'DEBIT CARD PURCHASE', 'DEBIT CARD PAYMENT', 'DEBIT CARD', 'POS DEBIT', 'POS PURCHASE',
    'POS TRANSACTION', 'POS', 'VISA PURCHASE', 'VISA DEBIT', 'VISA', 'VIS', 'MASTERCARD',
    'CONTACTLESS PAYMENT', 'CONTACTLESS', ')))', 'DEB', 'CHECKCARD', 'CHECK CARD PURCHASE',
    'PURCHASE AUTHORIZED ON', 'RECURRING PAYMENT AUTHORIZED ON', 'RECURRING CARD PAYMENT',
    'PURCHASE', 'APPLE PAY', 'GOOGLE PAY',
  ],
  DIRECT_DEBIT: [
    'DIRECT DEBIT PAYMENT TO', 'DIRECT DEBIT TO', 'DIRECT DEBIT', 'DD', 'DDR', 'ACH DEBIT',
    'ONLINE BILL PAYMENT', 'ONLINE PAYMENT TO', 'ONLINE PAYMENT',
  ],
  STANDING_ORDER: ['STANDING ORDER VIA FASTER PAYMENT TO', 'STANDING ORDER TO', 'STANDING ORDER', 'SO', 'STO'],
  TRANSFER: [
    'BILL PAYMENT VIA FASTER PAYMENT TO', 'BILL PAYMENT TO', 'BILL PAYMENT', 'FASTER PAYMENTS RECEIPT',
    'FASTER PAYMENT RECEIVED FROM', 'FASTER PAYMENT FROM', 'FASTER PAYMENT TO', 'FASTER PAYMENT',
    'FPO', 'FPI', 'BGC', 'BANK GIRO CREDIT', 'BANK CREDIT', 'CREDIT FROM', 'ONLINE TRANSFER TO',
    'ONLINE TRANSFER FROM', 'ONLINE BANKING TRANSFER TO', 'TRANSFER TO', 'TRANSFER FROM',
    'PAYMENT TO', 'PAYMENT FROM', 'ZELLE PAYMENT TO', 'ZELLE PAYMENT FROM', 'ACH CREDIT',
    'EXTERNAL TRANSFER TO', 'EXTERNAL TRANSFER FROM', 'TFR', 'TO', 'FROM', 'CR', 'DR',
  ],
  ATM: [
    'CASH WITHDRAWAL AT', 'CASH WITHDRAWAL', 'ATM WITHDRAWAL', 'ATM CASH WITHDRAWAL',
    'CASH MACHINE WITHDRAWAL', 'CASHPOINT', 'CPT', 'ATM',
  ],
  DEPOSIT: ['CASH DEPOSIT', 'COUNTER CREDIT', 'PAID IN AT', 'MOBILE DEPOSIT', 'REMOTE DEPOSIT', 'DEPOSIT', 'DEP'],
  CHEQUE: ['CHEQUE DEPOSIT', 'CHQ', 'CHEQUE', 'CHECK'],
};

/** Channel codes some exports append after the name instead (Lloyds, HSBC). */
export const CHANNEL_SUFFIXES: Readonly<Record<string, PaymentChannel>> = {
  VIS: 'CARD', VISA: 'CARD', DEB: 'CARD', POS: 'CARD', CONTACTLESS: 'CARD', ')))': 'CARD',
  DD: 'DIRECT_DEBIT', DDR: 'DIRECT_DEBIT', SO: 'STANDING_ORDER', STO: 'STANDING_ORDER',
  FPO: 'TRANSFER', FPI: 'TRANSFER', BGC: 'TRANSFER', TFR: 'TRANSFER', CPT: 'ATM',
};

/**
 * Payment processors and facilitators that print their own tag before the seller's
 * name, followed by `*`: Square, SumUp, Zettle, PayPal, Curve, Shopify, Toast,
 * Checkout.com, FastSpring, Paddle, Stripe, Lightspeed, Worldpay, Yoco.
 */
export const PROCESSOR_TAGS: readonly string[] = [
  'SQ', 'SQC', 'SUMUP', 'ZTL', 'IZ', 'IZETTLE', 'ZETTLE', 'PAYPAL', 'PP', 'CRV', 'SP', 'TST',
  'CKO', 'FS', 'PADDLE.NET', 'PADDLE', 'STRIPE', 'LS', 'WPY', 'YOCO',
];

/** Processors whose tag never names the counterparty, so it is dropped even without a `*`. */
export const SILENT_PROCESSORS: readonly string[] = ['SUMUP', 'IZETTLE', 'ZETTLE'];

/**
 * Country codes as card networks print them (ISO alpha-2 and alpha-3, plus "UK"). Codes that
 * are also words or names in descriptors (CH for "charge", EE the network, IN, IT, NO) are left out.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set([
  'GB', 'GBR', 'UK', 'IE', 'IRL', 'US', 'USA', 'FR', 'FRA', 'DE', 'DEU', 'NL', 'NLD', 'ES', 'ESP',
  'ITA', 'BE', 'BEL', 'LU', 'LUX', 'PT', 'PRT', 'AUT', 'NOR', 'SWE', 'DNK', 'FIN', 'POL', 'CHE',
  'CZE', 'GRC', 'AUS', 'CAN', 'NZL',
]);

/** US state codes, stripped only right after a known city ("SEATTLE WA"). */
export const US_STATES: ReadonlySet<string> = new Set(
  ('AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY ' +
    'NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC').split(' '),
);

/** Cities and districts that commonly end a card network's merchant record. */
export const CITIES: ReadonlySet<string> = new Set([
  // United Kingdom and Ireland
  'LONDON', 'MANCHESTER', 'BIRMINGHAM', 'LEEDS', 'LIVERPOOL', 'BRISTOL', 'SHEFFIELD', 'NEWCASTLE',
  'NEWCASTLE UPON TYNE', 'NOTTINGHAM', 'LEICESTER', 'COVENTRY', 'BRADFORD', 'CARDIFF', 'EDINBURGH',
  'GLASGOW', 'ABERDEEN', 'DUNDEE', 'BELFAST', 'SWANSEA', 'SOUTHAMPTON', 'PORTSMOUTH', 'BRIGHTON',
  'PLYMOUTH', 'EXETER', 'OXFORD', 'CAMBRIDGE', 'READING', 'YORK', 'BATH', 'NORWICH', 'IPSWICH', 'LUTON',
  'DERBY', 'STOKE', 'WOLVERHAMPTON', 'SUNDERLAND', 'MILTON KEYNES', 'CROYDON', 'WATFORD', 'SLOUGH',
  'GUILDFORD', 'CHELTENHAM', 'GLOUCESTER', 'WORCESTER', 'HULL', 'PRESTON', 'BOLTON', 'STOCKPORT',
  'SALFORD', 'BLACKPOOL', 'BOURNEMOUTH', 'SWINDON', 'PETERBOROUGH', 'CHELMSFORD', 'COLCHESTER',
  'CANTERBURY', 'MAIDSTONE', 'BASINGSTOKE', 'WINCHESTER', 'SALISBURY', 'LINCOLN', 'CHESTER',
  'LANCASTER', 'DURHAM', 'HARROGATE', 'INVERNESS', 'STIRLING', 'NEWPORT', 'WREXHAM', 'KINGSTON',
  'RICHMOND', 'WIMBLEDON', 'STRATFORD', 'ISLINGTON', 'CAMDEN', 'HACKNEY', 'SHOREDITCH', 'CLAPHAM',
  'BRIXTON', 'PECKHAM', 'GREENWICH', 'HAMMERSMITH', 'FULHAM', 'KENSINGTON', 'WESTMINSTER', 'SOHO',
  'HOLBORN', 'CANARY WHARF', 'WATERLOO', 'PADDINGTON', 'EUSTON', 'KINGS CROSS', 'HEATHROW',
  'GATWICK', 'STANSTED', 'ILFORD', 'ROMFORD', 'BROMLEY', 'HARROW', 'EALING', 'ENFIELD', 'WALTHAMSTOW',
  'TOOTING', 'BALHAM', 'DALSTON', 'LEWISHAM', 'WANDSWORTH', 'DUBLIN', 'CORK', 'GALWAY', 'LIMERICK',
  // Continental Europe
  'PARIS', 'BERLIN', 'MUNICH', 'MUNCHEN', 'HAMBURG', 'FRANKFURT', 'AMSTERDAM', 'ROTTERDAM', 'BRUSSELS',
  'BRUXELLES', 'MADRID', 'BARCELONA', 'LISBON', 'LISBOA', 'PORTO', 'ROME', 'ROMA', 'MILAN', 'MILANO',
  'VIENNA', 'WIEN', 'PRAGUE', 'PRAHA', 'COPENHAGEN', 'STOCKHOLM', 'OSLO', 'HELSINKI', 'WARSAW',
  'GENEVA', 'LUXEMBOURG', 'ATHENS', 'LYON', 'MARSEILLE',
  // United States
  'NEW YORK', 'NYC', 'BROOKLYN', 'LOS ANGELES', 'SAN FRANCISCO', 'SAN JOSE', 'SAN DIEGO', 'SEATTLE',
  'PORTLAND', 'CHICAGO', 'BOSTON', 'AUSTIN', 'DALLAS', 'HOUSTON', 'DENVER', 'ATLANTA', 'MIAMI',
  'ORLANDO', 'PHOENIX', 'LAS VEGAS', 'PHILADELPHIA', 'WASHINGTON', 'OAKLAND', 'BERKELEY', 'PALO ALTO',
  'MOUNTAIN VIEW', 'SUNNYVALE', 'CUPERTINO', 'MINNEAPOLIS', 'DETROIT', 'NASHVILLE', 'CHARLOTTE',
  'SACRAMENTO', 'SALT LAKE CITY', 'SOMERVILLE', 'ARLINGTON', 'SAN MATEO', 'JERSEY CITY', 'HOBOKEN',
]);

/** Legal-form suffixes dropped from a displayed name ("ACME PLUMBING LTD" → "Acme Plumbing"). */
export const LEGAL_SUFFIXES: ReadonlySet<string> = new Set(['LTD', 'LIMITED', 'PLC', 'LLC', 'INC', 'LLP', 'GMBH', 'BV', 'CORP']);

/** Web-address endings dropped from a displayed name ("NETFLIX.COM" → "Netflix"). */
export const DOMAIN_ENDINGS: ReadonlySet<string> = new Set(['COM', 'NET', 'ORG', 'IO', 'CO', 'APP']);
