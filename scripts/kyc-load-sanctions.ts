// `npm run kyc:load-sanctions -- <dir>`: loads a sanctions list in the OFAC SDN CSV layout
// (SDN.CSV, with ALT.CSV and ADD.CSV beside it, as published at
// https://sanctionslist.ofac.treas.gov/) into KYC at DATABASE_URL, or the embedded database
// when it is unset, and makes it the active list. Running KYC servers pick it up within
// seconds and re-screen every customer against it; new possible matches go to review.
// Exit codes: 0 loaded (or already active), 1 the files could not be read, 2 database error.
import { closeDataSource, initializeDataSource, loadBaseConfig, openDatabase, sqlState } from '@meridian/platform';
import { createKycDataSource, loadOfacSdnDirectory, SanctionsLists } from '@meridian/kyc';

async function main(): Promise<number> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('Usage: npm run kyc:load-sanctions -- <directory with SDN.CSV, ALT.CSV, ADD.CSV>');
    return 1;
  }
  let list;
  try {
    list = await loadOfacSdnDirectory(dir);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  }
  const config = loadBaseConfig();
  const database = await openDatabase(config);
  const dataSource = createKycDataSource(database.url, 2);
  try {
    await initializeDataSource(dataSource, !config.DATABASE_URL);
    const loaded = await new SanctionsLists(dataSource).load(list);
    console.log(`${list.entries.length} entries from ${list.source}, version ${loaded.version.slice(0, 16)}…`);
    console.log(loaded.activated ? 'Active now; KYC re-screens every customer against it.' : 'This list was already the active one.');
    return 0;
  } catch (err) {
    if (sqlState(err) === '42P01') console.error("KYC's tables are missing: run `npm run migrate` first.");
    else console.error(err instanceof Error ? err.message : err);
    return 2;
  } finally {
    await closeDataSource(dataSource);
    await database.stop();
  }
}

main().then((code) => process.exit(code));
