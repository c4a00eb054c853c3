/**
 * Plaid's Personal Finance Categories (PFC), as in Plaid's taxonomy CSV: 16 primary
 * categories, each split into detailed categories whose names start with the primary's
 * (104 in all). This is the first version of the taxonomy, the one most feeds return;
 * Plaid's later version adds detailed categories under income, loans and fees. Keeping
 * Plaid's names lets a Plaid-enriched feed and our own enrichment be compared as is.
 */
export const TAXONOMY = {
  INCOME: {
    label: 'Income',
    detailed: {
      INCOME_DIVIDENDS: 'Dividends',
      INCOME_INTEREST_EARNED: 'Interest earned',
      INCOME_RETIREMENT_PENSION: 'Pension',
      INCOME_TAX_REFUND: 'Tax refund',
      INCOME_UNEMPLOYMENT: 'Unemployment benefits',
      INCOME_WAGES: 'Wages',
      INCOME_OTHER_INCOME: 'Other income',
    },
  },
  TRANSFER_IN: {
    label: 'Transfers in',
    detailed: {
      TRANSFER_IN_CASH_ADVANCES_AND_LOANS: 'Loans and cash advances',
      TRANSFER_IN_DEPOSIT: 'Deposits',
      TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS: 'From investments',
      TRANSFER_IN_SAVINGS: 'From savings',
      TRANSFER_IN_ACCOUNT_TRANSFER: 'Transfers in',
      TRANSFER_IN_OTHER_TRANSFER_IN: 'Other money in',
    },
  },
  TRANSFER_OUT: {
    label: 'Transfers out',
    detailed: {
      TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS: 'Investments and pensions',
      TRANSFER_OUT_SAVINGS: 'To savings',
      TRANSFER_OUT_WITHDRAWAL: 'Cash withdrawals',
      TRANSFER_OUT_ACCOUNT_TRANSFER: 'Transfers out',
      TRANSFER_OUT_OTHER_TRANSFER_OUT: 'Other money out',
    },
  },
  LOAN_PAYMENTS: {
    label: 'Loan payments',
    detailed: {
      LOAN_PAYMENTS_CAR_PAYMENT: 'Car finance',
      LOAN_PAYMENTS_CREDIT_CARD_PAYMENT: 'Credit card payments',
      LOAN_PAYMENTS_PERSONAL_LOAN_PAYMENT: 'Personal loans',
      LOAN_PAYMENTS_MORTGAGE_PAYMENT: 'Mortgage',
      LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT: 'Student loan',
      LOAN_PAYMENTS_OTHER_PAYMENT: 'Other loan payments',
    },
  },
  BANK_FEES: {
    label: 'Bank fees',
    detailed: {
      BANK_FEES_ATM_FEES: 'ATM fees',
      BANK_FEES_FOREIGN_TRANSACTION_FEES: 'Foreign transaction fees',
      BANK_FEES_INSUFFICIENT_FUNDS: 'Insufficient funds fees',
      BANK_FEES_INTEREST_CHARGE: 'Interest charges',
      BANK_FEES_OVERDRAFT_FEES: 'Overdraft fees',
      BANK_FEES_OTHER_BANK_FEES: 'Other bank fees',
    },
  },
  ENTERTAINMENT: {
    label: 'Entertainment',
    detailed: {
      ENTERTAINMENT_CASINOS_AND_GAMBLING: 'Gambling',
      ENTERTAINMENT_MUSIC_AND_AUDIO: 'Music and audio',
      ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS: 'Events, parks and museums',
      ENTERTAINMENT_TV_AND_MOVIES: 'TV and movies',
      ENTERTAINMENT_VIDEO_GAMES: 'Video games',
      ENTERTAINMENT_OTHER_ENTERTAINMENT: 'Other entertainment',
    },
  },
  FOOD_AND_DRINK: {
    label: 'Food and drink',
    detailed: {
      FOOD_AND_DRINK_BEER_WINE_AND_LIQUOR: 'Beer, wine and spirits',
      FOOD_AND_DRINK_COFFEE: 'Coffee',
      FOOD_AND_DRINK_FAST_FOOD: 'Fast food',
      FOOD_AND_DRINK_GROCERIES: 'Groceries',
      FOOD_AND_DRINK_RESTAURANT: 'Restaurants',
      FOOD_AND_DRINK_VENDING_MACHINES: 'Vending machines',
      FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK: 'Other food and drink',
    },
  },
  GENERAL_MERCHANDISE: {
    label: 'Shopping',
    detailed: {
      GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS: 'Books and news',
      GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES: 'Clothing and accessories',
      GENERAL_MERCHANDISE_CONVENIENCE_STORES: 'Convenience stores',
      GENERAL_MERCHANDISE_DEPARTMENT_STORES: 'Department stores',
      GENERAL_MERCHANDISE_DISCOUNT_STORES: 'Discount stores',
      GENERAL_MERCHANDISE_ELECTRONICS: 'Electronics',
      GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES: 'Gifts and novelties',
      GENERAL_MERCHANDISE_OFFICE_SUPPLIES: 'Office supplies',
      GENERAL_MERCHANDISE_ONLINE_MARKETPLACES: 'Online marketplaces',
      GENERAL_MERCHANDISE_PET_SUPPLIES: 'Pet supplies',
      GENERAL_MERCHANDISE_SPORTING_GOODS: 'Sporting goods',
      GENERAL_MERCHANDISE_SUPERSTORES: 'Superstores',
      GENERAL_MERCHANDISE_TOBACCO_AND_VAPE: 'Tobacco and vape',
      GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE: 'Other shopping',
    },
  },
  HOME_IMPROVEMENT: {
    label: 'Home improvement',
    detailed: {
      HOME_IMPROVEMENT_FURNITURE: 'Furniture',
      HOME_IMPROVEMENT_HARDWARE: 'Hardware and DIY',
      HOME_IMPROVEMENT_REPAIR_AND_MAINTENANCE: 'Repairs and maintenance',
      HOME_IMPROVEMENT_SECURITY: 'Home security',
      HOME_IMPROVEMENT_OTHER_HOME_IMPROVEMENT: 'Other home improvement',
    },
  },
  MEDICAL: {
    label: 'Medical',
    detailed: {
      MEDICAL_DENTAL_CARE: 'Dental care',
      MEDICAL_EYE_CARE: 'Eye care',
      MEDICAL_NURSING_CARE: 'Nursing care',
      MEDICAL_PHARMACIES_AND_SUPPLEMENTS: 'Pharmacies and supplements',
      MEDICAL_PRIMARY_CARE: 'Doctors',
      MEDICAL_VETERINARY_SERVICES: 'Vets',
      MEDICAL_OTHER_MEDICAL: 'Other medical',
    },
  },
  PERSONAL_CARE: {
    label: 'Personal care',
    detailed: {
      PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS: 'Gyms and fitness',
      PERSONAL_CARE_HAIR_AND_BEAUTY: 'Hair and beauty',
      PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING: 'Laundry and dry cleaning',
      PERSONAL_CARE_OTHER_PERSONAL_CARE: 'Other personal care',
    },
  },
  GENERAL_SERVICES: {
    label: 'Services',
    detailed: {
      GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING: 'Accounting and financial planning',
      GENERAL_SERVICES_AUTOMOTIVE: 'Car services',
      GENERAL_SERVICES_CHILDCARE: 'Childcare',
      GENERAL_SERVICES_CONSULTING_AND_LEGAL: 'Consulting and legal',
      GENERAL_SERVICES_EDUCATION: 'Education',
      GENERAL_SERVICES_INSURANCE: 'Insurance',
      GENERAL_SERVICES_POSTAGE_AND_SHIPPING: 'Postage and shipping',
      GENERAL_SERVICES_STORAGE: 'Storage',
      GENERAL_SERVICES_OTHER_GENERAL_SERVICES: 'Other services',
    },
  },
  GOVERNMENT_AND_NON_PROFIT: {
    label: 'Government and charity',
    detailed: {
      GOVERNMENT_AND_NON_PROFIT_DONATIONS: 'Donations',
      GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES: 'Government services',
      GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT: 'Tax',
      GOVERNMENT_AND_NON_PROFIT_OTHER_GOVERNMENT_AND_NON_PROFIT: 'Other government and charity',
    },
  },
  TRANSPORTATION: {
    label: 'Transport',
    detailed: {
      TRANSPORTATION_BIKES_AND_SCOOTERS: 'Bikes and scooters',
      TRANSPORTATION_GAS: 'Fuel',
      TRANSPORTATION_PARKING: 'Parking',
      TRANSPORTATION_PUBLIC_TRANSIT: 'Public transport',
      TRANSPORTATION_TAXIS_AND_RIDE_SHARES: 'Taxis and ride shares',
      TRANSPORTATION_TOLLS: 'Tolls and road charges',
      TRANSPORTATION_OTHER_TRANSPORTATION: 'Other transport',
    },
  },
  TRAVEL: {
    label: 'Travel',
    detailed: {
      TRAVEL_FLIGHTS: 'Flights',
      TRAVEL_LODGING: 'Hotels and stays',
      TRAVEL_RENTAL_CARS: 'Car hire',
      TRAVEL_OTHER_TRAVEL: 'Other travel',
    },
  },
  RENT_AND_UTILITIES: {
    label: 'Rent and bills',
    detailed: {
      RENT_AND_UTILITIES_GAS_AND_ELECTRICITY: 'Gas and electricity',
      RENT_AND_UTILITIES_INTERNET_AND_CABLE: 'Internet and TV',
      RENT_AND_UTILITIES_RENT: 'Rent',
      RENT_AND_UTILITIES_SEWAGE_AND_WASTE_MANAGEMENT: 'Sewage and waste',
      RENT_AND_UTILITIES_TELEPHONE: 'Phone',
      RENT_AND_UTILITIES_WATER: 'Water',
      RENT_AND_UTILITIES_OTHER_UTILITIES: 'Other bills',
    },
  },
} as const;

/** One of the 16 top-level categories, e.g. `FOOD_AND_DRINK`. */
export type PrimaryCategory = keyof typeof TAXONOMY;

/** One of the detailed categories, e.g. `FOOD_AND_DRINK_COFFEE`; its name starts with its primary's. */
export type DetailedCategory = {
  [P in PrimaryCategory]: keyof (typeof TAXONOMY)[P]['detailed'];
}[PrimaryCategory];

/** The primary categories in Plaid's order. */
export const PRIMARY_CATEGORIES = Object.keys(TAXONOMY) as readonly PrimaryCategory[];

const primaryByDetailed = new Map<string, PrimaryCategory>();
const labels = new Map<string, string>();
for (const primary of PRIMARY_CATEGORIES) {
  const { label, detailed } = TAXONOMY[primary];
  labels.set(primary, label);
  for (const [category, detailedLabel] of Object.entries(detailed)) {
    primaryByDetailed.set(category, primary);
    labels.set(category, detailedLabel);
  }
}

/** Every detailed category, grouped by primary in Plaid's order. */
export const DETAILED_CATEGORIES = [...primaryByDetailed.keys()] as readonly DetailedCategory[];

/** True when `value` names a detailed category (exact, upper-case spelling). */
export function isDetailedCategory(value: unknown): value is DetailedCategory {
  return typeof value === 'string' && primaryByDetailed.has(value);
}

/** True when `value` names a primary category (exact, upper-case spelling). */
export function isPrimaryCategory(value: unknown): value is PrimaryCategory {
  return typeof value === 'string' && Object.hasOwn(TAXONOMY, value);
}

/** The primary category a detailed category belongs to. */
export function primaryOf(detailed: DetailedCategory): PrimaryCategory {
  const primary = primaryByDetailed.get(detailed);
  // Unreachable through the types; a cast string from outside must not turn into `undefined` silently.
  if (!primary) throw new TypeError(`Unknown detailed category: ${String(detailed)}`);
  return primary;
}

/** The short human label of a primary or detailed category, e.g. "Coffee" for `FOOD_AND_DRINK_COFFEE`. */
export function categoryLabel(category: PrimaryCategory | DetailedCategory): string {
  const label = labels.get(category);
  if (label === undefined) throw new TypeError(`Unknown category: ${String(category)}`);
  return label;
}
