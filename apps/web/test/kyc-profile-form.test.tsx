/** @jest-environment jsdom */
import './support/dom-setup';
import { UpdateKycProfileDocument } from '@meridian/client/web';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dateOfBirthProblem, ProfileForm } from '../src/kyc/profile-form';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { fullProfile, kycOverview } from './support/kyc';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

function setup(bff: FakeBff, profile = fullProfile) {
  const onSaved = jest.fn();
  renderWithApp(<ProfileForm profile={profile} onSaved={onSaved} />, bff);
  return { onSaved, events: userEvent.setup() };
}

const save = (events: Events) => events.click(screen.getByRole('button', { name: 'Save my details' }));
const textbox = (name: string) => screen.getByRole('textbox', { name });

async function retype(events: Events, name: string, value: string) {
  await events.clear(textbox(name));
  if (value) await events.type(textbox(name), value);
}

/** A date input takes only a whole date, as a browser's does. */
function setDate(value: string) {
  fireEvent.change(screen.getByLabelText(/^Date of birth/), { target: { value } });
}

describe('the personal details form', () => {
  it('asks for every required detail and sends nothing without them', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff, kycOverview().profile);
    await save(events);
    expect(await screen.findByText('Enter your legal name.')).toBeTruthy();
    expect(screen.getByText('Enter your date of birth.')).toBeTruthy();
    expect(screen.getAllByText('Choose a country from the list.')).toHaveLength(2);
    expect(screen.getByText('Enter a postal code of 2 to 12 letters, digits, spaces or dashes.')).toBeTruthy();
    expect(screen.getAllByText('Fill this in.')).toHaveLength(2);
    expect(bff.calls).toEqual([]);
  });

  it.each([
    ['Legal name', 'Kim 2', 'Use letters, spaces and name punctuation only, without digits.'],
    ['Legal name', 'Kim\u202eNewcomer', 'Use letters, digits, spaces and simple punctuation only.'],
    ['Postal code', 'B', 'Enter a postal code of 2 to 12 letters, digits, spaces or dashes.'],
    ['Tax identification number', 'AB-12', 'Enter 5 to 20 letters and digits.'],
    ['Address line 1', 'x'.repeat(101), 'Use at most 100 characters.'],
  ])('refuses %s %j before sending it, as KYC would', async (name, value, problem) => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await events.clear(textbox(name));
    textbox(name).focus();
    await events.paste(value);
    await save(events);
    expect(await screen.findByText(problem)).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it.each([
    ['2999-01-01', 'That date is in the future.'],
    ['1899-12-31', 'Enter a date after 1900.'],
  ])('refuses a date of birth of %s', async (date, problem) => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    setDate(date);
    await save(events);
    expect(await screen.findByText(problem)).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('knows who is 18 today and who is not yet', () => {
    const now = new Date('2026-12-07T10:00:00.000Z');
    expect(dateOfBirthProblem('2008-12-07', now)).toBeNull();
    expect(dateOfBirthProblem('2008-12-08', now)).toBe('You must be 18 or over to be verified.');
    expect(dateOfBirthProblem('2001-02-29', now)).toBe('That date does not exist.');
  });

  it('starts from what KYC holds and sends the details tidied: spaces collapsed, postal code and tax id upper-cased', async () => {
    const bff = createFakeBff();
    bff.on(UpdateKycProfileDocument, (variables) => data({ updateKycProfile: { ...fullProfile, ...(variables.input as object) } }));
    const { events, onSaved } = setup(bff);
    expect(textbox('Legal name')).toHaveProperty('value', 'Kim Newcomer');
    expect(textbox('Nationality')).toHaveProperty('value', 'United Kingdom');
    await retype(events, 'Legal name', '  Kim   Newcomer ');
    await retype(events, 'Postal code', 'bs1 4dj');
    await retype(events, 'Address line 2', 'Flat 2');
    await events.type(textbox('Tax identification number'), 'ab 123-456');
    await save(events);
    expect((await screen.findByRole('status')).textContent).toContain('Your details are saved.');
    expect(bff.variablesOf(UpdateKycProfileDocument)).toEqual([
      {
        input: {
          legalName: 'Kim Newcomer',
          dateOfBirth: '1992-09-30',
          nationality: 'GB',
          address: { line1: '4 Quay Street', line2: 'Flat 2', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' },
          taxId: 'AB123456',
        },
      },
    ]);
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(textbox('Tax identification number')).toHaveProperty('value', '');
  });

  it('shows a refusal that names a field under that field, in its own words', async () => {
    const bff = createFakeBff();
    bff.on(UpdateKycProfileDocument, refusal('BAD_USER_INPUT', 'Customers must be 18 or over.', { field: 'dateOfBirth', reason: 'UNDERAGE' }));
    const { events } = setup(bff);
    await save(events);
    expect(await screen.findByText('You must be 18 or over to be verified.')).toBeTruthy();
    expect(screen.getByLabelText(/^Date of birth/).getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says a nested address field is wrong under that field', async () => {
    const bff = createFakeBff();
    bff.on(UpdateKycProfileDocument, refusal('BAD_USER_INPUT', 'address.country must be an ISO 3166-1 alpha-2 country code, e.g. GB.', { field: 'address.country', reason: 'COUNTRY_UNKNOWN' }));
    const { events } = setup(bff);
    await save(events);
    await waitFor(() => expect(textbox('Country').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Choose a country from the list.')).toBeTruthy();
  });

  it.each([
    ['NO_EDITABLE_CASE', refusal('CONFLICT', 'Personal data can be changed only while a verification is open.', { reason: 'NO_EDITABLE_CASE' }), 'Your verification is not open for changes'],
    ['a lost connection', 'network-error' as const, 'We could not reach Meridian.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'slow down', { retryAfter: 5 }, 429), 'Too many attempts. Try again in 5 seconds.'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(UpdateKycProfileDocument, answer);
    const { events, onSaved } = setup(bff);
    await save(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(onSaved).not.toHaveBeenCalled();
  });
});
