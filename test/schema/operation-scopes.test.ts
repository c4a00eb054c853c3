import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { collectExecutedFields } from '@meridian/bff-core';
import { scopesFor } from '@meridian/identity';
import { decideScopes, fieldRequirement, readScopeDirectives, type Role } from '@meridian/platform';
import type { Client } from '@meridian/schema';
import { loadSupergraphSdl } from '@meridian/supergraph';
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLObjectType,
  type OperationDefinitionNode,
} from 'graphql';
import { loadOperations } from '../helpers/operations';
import { dummyValue } from '../helpers/scope-sweep';

// The scopes the schema asks for and the operations the apps ship agree: every operation
// runs for the role it is written for (the app's customers; on the web dashboard, a staff
// role for the staff screens), so no declaration can lock a client out of its own screens.

const sdl = loadSupergraphSdl();
const api = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
const directives = readScopeDirectives(parse(sdl));
const ROLES: Role[] = ['CUSTOMER', 'SUPPORT', 'COMPLIANCE', 'ADMIN'];

/** The roles whose sign-in may run the operation (every role when it needs nothing). */
function rolesFor(document: DocumentNode, operation: OperationDefinitionNode): Role[] {
  const variables = Object.fromEntries(
    (operation.variableDefinitions ?? [])
      .filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue)
      .map((v) => [v.variable.name.value, dummyValue(typeFromAST(api, v.type) as GraphQLInputType)]),
  );
  const single: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
  const fields = collectExecutedFields({ schema: api, document: single, operation, request: { variables } });
  return ROLES.filter((role) =>
    fields.every((field) => decideScopes(fieldRequirement(directives, field.parentType, field.name), { scopes: scopesFor([role]) }) === 'ALLOWED'),
  );
}

function operations(client: Client) {
  return [...loadOperations(client)].flatMap(([file, document]) =>
    document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => ({ file, name: operation.name!.value, roles: rolesFor(document, operation) })),
  );
}

describe('the scopes the operations need', () => {
  it('let a customer run every operation of the mobile app', () => {
    const refused = operations('mobile').filter((op) => !op.roles.includes('CUSTOMER'));
    expect(refused).toEqual([]);
  });

  it('let a customer run the web dashboard’s customer screens, and a staff role each staff screen', () => {
    const staffFiles = new Set(['staff.graphql', 'kyc-review.graphql', 'payments-review.graphql']);
    for (const op of operations('web')) {
      const expected = staffFiles.has(op.file) ? op.roles.some((role) => role !== 'CUSTOMER') : op.roles.includes('CUSTOMER');
      expect({ ...op, runnable: expected }).toEqual({ ...op, runnable: true });
    }
  });

  it('keep every staff screen from customers, and give each to the staff roles it is meant for', () => {
    const web = operations('web');
    for (const op of web.filter((o) => ['staff.graphql', 'kyc-review.graphql', 'payments-review.graphql'].includes(o.file))) {
      expect({ name: op.name, customer: op.roles.includes('CUSTOMER') }).toEqual({ name: op.name, customer: false });
    }
    expect(web.find((o) => o.name === 'CustomerLookup')!.roles).toEqual(['SUPPORT', 'COMPLIANCE', 'ADMIN']);
    expect(web.find((o) => o.name === 'SetRoles')!.roles).toEqual(['ADMIN']);
  });
});

describe('staff and a customer’s data', () => {
  /** The root fields from which a token with `scopes` can reach the `User` entity, walking only fields it may use. */
  function rootsReachingUser(scopes: string[]): string[] {
    const allowed = (type: GraphQLObjectType, field: string) => decideScopes(fieldRequirement(directives, type, field), { scopes }) === 'ALLOWED';
    const reaches = (start: GraphQLObjectType): boolean => {
      const seen = new Set<string>([start.name]);
      const queue = [start];
      while (queue.length) {
        const type = queue.shift()!;
        if (type.name === 'User') return true;
        for (const field of Object.values(type.getFields())) {
          if (!allowed(type, field.name)) continue;
          const named = getNamedType(field.type);
          for (const next of isAbstractType(named) ? api.getPossibleTypes(named) : isObjectType(named) ? [named] : []) {
            if (!seen.has(next.name)) seen.add(next.name), queue.push(next);
          }
        }
      }
      return false;
    };
    return [api.getQueryType()!, api.getMutationType()!].flatMap((root) =>
      Object.values(root.getFields())
        .filter((field) => allowed(root, field.name))
        .filter((field) => {
          const named = getNamedType(field.type);
          return (isAbstractType(named) ? api.getPossibleTypes(named) : isObjectType(named) ? [named] : []).some(reaches);
        })
        .map((field) => `${root.name}.${field.name}`),
    );
  }

  it('is reached by staff only through identity’s audited lookups (their own user: me and the sign-ins’ AuthSession)', () => {
    const own = (coordinate: string) => {
      const [root, field] = coordinate.split('.');
      return coordinate === 'Query.me' || getNamedType((api.getType(root) as GraphQLObjectType).getFields()[field].type).name === 'AuthSession';
    };
    for (const role of ['SUPPORT', 'COMPLIANCE', 'ADMIN'] as const) {
      const roots = rootsReachingUser(scopesFor([role])).filter((coordinate) => !own(coordinate)).sort();
      expect({ role, roots }).toEqual({ role, roots: ['Query.customer', 'Query.customerByEmail'] });
    }
    // A customer reaches users only as themselves (and the users their own accounts name as owner: themselves).
    expect(rootsReachingUser(scopesFor(['CUSTOMER']))).not.toContain('Query.customer');
  });
});

describe('every root field', () => {
  // What a person uses before they are signed in: open on purpose.
  const PUBLIC = [
    'Mutation.completeSignIn',
    'Mutation.login',
    'Mutation.logout',
    'Mutation.refreshSession',
    'Mutation.register',
    'Mutation.requestPasswordReset',
    'Mutation.resetPassword',
    'Mutation.resetPasswordWithCode',
    'Mutation.sendSignInCode',
    'Mutation.verifyEmail',
  ];

  it('declares who may call it with @authenticated or @requiresScopes, but the public ones', () => {
    const open = [api.getQueryType()!, api.getMutationType()!].flatMap((root) =>
      Object.keys(root.getFields())
        .filter((field) => decideScopes(fieldRequirement(directives, root, field), undefined) === 'ALLOWED')
        .map((field) => `${root.name}.${field}`),
    );
    expect(open.sort()).toEqual(PUBLIC);
  });
});
