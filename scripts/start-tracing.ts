import { startTelemetryEarly } from '@meridian/platform/telemetry';

// start.ts imports this first: instrumentations patch only the modules required after the SDK starts.
startTelemetryEarly('meridian');
