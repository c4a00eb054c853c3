import { Outlet } from '@tanstack/react-router';
import { ReviewReasonProvider } from './review-reason';

/** Around every staff screen: one review session, whose reason goes with each read until changed. */
export function StaffArea() {
  return (
    <ReviewReasonProvider>
      <Outlet />
    </ReviewReasonProvider>
  );
}
