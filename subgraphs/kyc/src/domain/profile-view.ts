import { maskDate, maskName, maskPhone, maskTail } from './masking';
import type { FieldState, FieldStates, PersonalData, ProfileField } from './profile';

/** One field as the graph shows it. */
export interface FieldView {
  value: string;
  status: FieldState['status'];
  source: FieldState['source'];
  verifiedAt: Date | null;
}

/** The address as the graph shows it. */
export interface AddressView extends Omit<FieldView, 'value'> {
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  country: string;
}

/** The profile as the graph shows it. */
export interface ProfileView {
  legalName: FieldView | null;
  dateOfBirth: FieldView | null;
  nationality: FieldView | null;
  address: AddressView | null;
  taxId: FieldView | null;
  phone: FieldView | null;
}

/** Who is looking: the customer (tax id tail only), staff masked, or staff revealed. */
export type ProfileAudience = 'CUSTOMER' | 'STAFF_MASKED' | 'STAFF_REVEALED';

const DEFAULT_STATE: FieldState = { status: 'PROVIDED', source: 'CUSTOMER', updatedAt: new Date(0).toISOString() };

function state(fields: FieldStates, field: ProfileField) {
  const s = fields[field] ?? DEFAULT_STATE;
  return { status: s.status, source: s.source, verifiedAt: s.verifiedAt ? new Date(s.verifiedAt) : null };
}

/** The fields a view shows, for the audit log. */
export const shownFields = (data: PersonalData): ProfileField[] =>
  (Object.keys(data) as ProfileField[]).filter((f) => data[f] !== undefined);

/** Builds the graph's view of a profile for `audience`: masked for staff unless revealed. */
export function profileView(data: PersonalData, fields: FieldStates, audience: ProfileAudience): ProfileView {
  const masked = audience === 'STAFF_MASKED';
  const field = (name: ProfileField, value: string | undefined, mask: (v: string) => string): FieldView | null =>
    value === undefined ? null : { value: masked ? mask(value) : value, ...state(fields, name) };
  const address = data.address;
  return {
    legalName: field('legalName', data.legalName, maskName),
    dateOfBirth: field('dateOfBirth', data.dateOfBirth, maskDate),
    nationality: field('nationality', data.nationality, (v) => v),
    address: address
      ? {
          line1: masked ? maskTail(address.line1, 0) : address.line1,
          line2: address.line2 ? (masked ? maskTail(address.line2, 0) : address.line2) : null,
          city: address.city,
          postalCode: masked ? address.postalCode.slice(0, 2) + '*'.repeat(Math.max(address.postalCode.length - 2, 0)) : address.postalCode,
          country: address.country,
          ...state(fields, 'address'),
        }
      : null,
    // The customer sees only the tail of the tax id too: it is typed once and never needed again.
    taxId: data.taxId === undefined ? null : { value: audience === 'STAFF_REVEALED' ? data.taxId : maskTail(data.taxId), ...state(fields, 'taxId') },
    phone: field('phone', data.phone, maskPhone),
  };
}
