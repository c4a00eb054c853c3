import { startTelemetryEarly } from '@meridian/platform/telemetry';

// main.ts imports this first: instrumentations patch only the modules required after the SDK starts.
startTelemetryEarly('kyc');
