import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { BffContext } from './bff-context';

/**
 * One step of the BFF pipeline (limits, sessions, rate limits): Apollo plugins
 * and validation rules that `createBffServer` switches on. Rules join Apollo's
 * single validation pass, so a request is still validated once.
 */
export interface BffPlugin {
  /** For logs and debugging. */
  name: string;
  apollo?: ApolloServerPlugin<BffContext>[];
  validationRules?: ValidationRule[];
}
