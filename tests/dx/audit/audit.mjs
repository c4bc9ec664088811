// Runs graphql-http's server audit against the URL given and prints one JSON
// line per audit: {id, name, status, reason}. Exits 0; the test judges.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
for (const result of results) {
  console.log(JSON.stringify({
    id: result.id, name: result.name, status: result.status,
    reason: result.status === 'ok' ? '' : result.reason,
  }));
}
