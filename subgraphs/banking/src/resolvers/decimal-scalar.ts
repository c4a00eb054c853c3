import { ErrorCode } from '@meridian/platform';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DECIMAL = /^-?\d{1,40}(\.\d{1,40})?$/;

function parse(value: unknown): string {
  // Numbers are refused: a JSON number has already been through a float by the time it arrives.
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) {
    throw new GraphQLError('Decimal must be a string such as "12.34".', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return value.trim();
}

/**
 * `Decimal`: an exact decimal as a string on the wire and inside. Whether it
 * fits a currency (decimal places, sign, 64-bit range) is the domain's check.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number written as a string, e.g. "12.34".',
  serialize(value) {
    if (typeof value !== 'string') throw new GraphQLError('Decimal values are formatted strings.');
    return value;
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Decimal must be a string such as "12.34".', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    return parse(ast.value);
  },
});
