import { collectRootFields, type BffPlugin } from '@meridian/bff-core';
import { ErrorCode } from '@meridian/platform';
import { GraphQLError } from 'graphql';

/** Where each session operation carries the device id. */
const DEVICE_ID_PATHS: Record<string, (args: Record<string, unknown>) => unknown> = {
  login: (args) => (args.input as Record<string, unknown> | undefined)?.deviceId,
  refreshSession: (args) => args.deviceId,
  completeSignIn: (args) => args.deviceId,
};

/** A device id: what the app generated once and keeps in secure storage. */
const DEVICE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The app's sessions are bound to its device: `login` must send `input.deviceId`,
 * and `completeSignIn` and `refreshSession` the same `deviceId`, so every phone appears in the user's
 * sessions list and a refresh token taken to another device is refused (and ends
 * the session). Refused with BAD_USER_INPUT before anything runs.
 */
export function useRequireDeviceId(): BffPlugin {
  return {
    name: 'require-device-id',
    async guard(request) {
      if (request.operation?.operation !== 'mutation') return;
      for (const { name, args } of collectRootFields(request)) {
        const read = DEVICE_ID_PATHS[name];
        if (!read) continue;
        const deviceId = read(args);
        if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) {
          throw new GraphQLError(
            `${name} from the app needs its device id (${name === 'login' ? 'input.deviceId' : 'deviceId'}): 8 to 128 letters, digits or . _ : -, generated once per install.`,
            { extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'deviceId', http: { status: 400 } } },
          );
        }
      }
    },
  };
}
