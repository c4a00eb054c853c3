// What every benchmark does on the PostgreSQL server before and after its run: create and drop its
// own database, read the server's version and settings, with one short-lived admin connection.
import { Client } from 'pg';

/** Runs `run` on a connection to `url` named `meridian-bench`, closed afterwards. */
export async function withAdmin<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'meridian-bench' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
