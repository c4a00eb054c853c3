import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { SENSITIVE_FIELD_LIMITS } from '../src/use-field-rate-limits';

// Every mutation of the composed API has a field limit, so a new one that moves money, touches
// credentials or costs a provider call cannot ship unthrottled by oversight. The few without one
// are listed here with the reason.
const UNLIMITED: Record<string, string> = {
  revokeSession: 'signs a session out; only ever reduces what an attacker holds',
  deletePayee: 'removes a destination; cannot move money',
  deleteBiller: 'removes a destination; cannot move money',
  removeCard: 'removes a card; cannot move money',
};

describe('field limits', () => {
  it('cover every mutation of the supergraph but the listed ones', () => {
    const supergraph = parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'supergraph', 'supergraph.graphql'), 'utf8'));
    const mutation = supergraph.definitions.find(
      (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Mutation',
    );
    const fields = mutation!.fields!.map((f) => f.name.value);
    expect(fields).toEqual(expect.arrayContaining(['createPayment', 'confirmPayment', 'refundPayment', 'addCard', 'recategorizeTransaction', 'setBudget', 'markAlertsRead']));
    const missing = fields.filter((name) => !SENSITIVE_FIELD_LIMITS[name] && !UNLIMITED[name]);
    expect(missing).toEqual([]);
    // The exemptions name real mutations that really have no limit.
    for (const name of Object.keys(UNLIMITED)) {
      expect(fields).toContain(name);
      expect(SENSITIVE_FIELD_LIMITS[name]).toBeUndefined();
    }
  });
});
