/** @jest-environment jsdom */
import './support/dom-setup';
import { CreateGoalDocument, GoalsDocument, UpdateGoalDocument, type GoalsQuery } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { GoalForm } from '../src/insights/goal-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

type Goal = NonNullable<GoalsQuery['me']['insights']>['goals'][number];

const savings = account('acc-savings', 'Rainy day', 'GBP', '1500.00', { type: 'SAVINGS' });
const yen = account('acc-yen', 'Tokyo', 'JPY', '20000');
const closed = account('acc-old', 'Old savings', 'GBP', '0.00', { status: 'CLOSED' });
const TODAY = new Date(2026, 11, 7);

const lisbon: Goal = {
  id: 'goal-1',
  name: 'Lisbon in the spring',
  target: { amount: '6000.00', currency: 'GBP' },
  targetDate: '2027-04-01',
  accountId: savings.id,
  saved: { amount: '1500.00', currency: 'GBP' },
  progressBasisPoints: 2500,
  remaining: { amount: '4500.00', currency: 'GBP' },
  monthlyNeeded: { amount: '1125.00', currency: 'GBP' },
  reached: false,
};

const answered = (goal: Partial<Goal>, key: 'createGoal' | 'updateGoal'): FakeAnswer => data({ [key]: { ...lisbon, ...goal } });

type Events = ReturnType<typeof userEvent.setup>;

function setup(bff: FakeBff, goal?: Goal) {
  bff.on(GoalsDocument, data({ me: { id: 'user-1', insights: { goals: [] } } }));
  const onSaved = jest.fn();
  renderWithApp(<GoalForm accounts={[savings, yen, closed]} goal={goal} today={TODAY} onSaved={onSaved} />, bff);
  return { onSaved, events: userEvent.setup() };
}

async function chooseAccount(events: Events, option: RegExp) {
  await events.click(screen.getByRole('textbox', { name: 'Saved in' }));
  await events.click(await screen.findByRole('option', { name: option }));
}

const field = (name: string) => screen.getByRole('textbox', { name });
const dateField = () => screen.getByLabelText(/^Reach it by/) as HTMLInputElement;

describe('the savings goal form', () => {
  it('checks the name, the account, the amount and the date before sending anything', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    expect(await screen.findByText('Give the goal a name.')).toBeTruthy();
    expect(screen.getByText('Choose the account you save in.')).toBeTruthy();

    // Only open accounts can hold a new goal.
    await events.click(field('Saved in'));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Rainy day · GBP', 'Tokyo · JPY']);
    await events.click(screen.getByRole('option', { name: 'Tokyo · JPY' }));

    await events.type(field('Name'), 'A\u0007bell');
    await events.type(field('Amount to reach'), '1000.50');
    await events.type(dateField(), '2026-12-07');
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    expect(await screen.findByText('Use letters, digits, spaces and punctuation only.')).toBeTruthy();
    expect(screen.getByText('This currency does not have that many decimal places.')).toBeTruthy();
    expect(screen.getByText('Choose a day after today.')).toBeTruthy();
    expect(bff.variablesOf(CreateGoalDocument)).toEqual([]);
  });

  it('makes the goal in the chosen account, the name trimmed and the date left out when there is none', async () => {
    const bff = createFakeBff();
    bff.on(CreateGoalDocument, (variables) => answered({ name: (variables.input as { name: string }).name }, 'createGoal'));
    const { events, onSaved } = setup(bff);
    await events.type(field('Name'), '  New bike ');
    await chooseAccount(events, /^Rainy day/);
    await events.type(field('Amount to reach'), '1,200');
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(bff.variablesOf(CreateGoalDocument)).toEqual([{ input: { name: 'New bike', targetAmount: '1200.00', accountId: savings.id } }]);

    await events.type(dateField(), '2027-06-30');
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    await waitFor(() => expect(bff.variablesOf(CreateGoalDocument)).toHaveLength(2));
    expect(bff.variablesOf(CreateGoalDocument)[1]).toEqual({ input: { name: 'New bike', targetAmount: '1200.00', accountId: savings.id, targetDate: '2027-06-30' } });
  });

  it('changes a goal, and removes its date when the date is emptied', async () => {
    const bff = createFakeBff();
    bff.on(UpdateGoalDocument, answered({ targetDate: null }, 'updateGoal'));
    const { events, onSaved } = setup(bff, lisbon);
    expect(screen.queryByRole('textbox', { name: 'Saved in' })).toBeNull();
    expect(screen.getByText(/^Saved in Rainy day/)).toBeTruthy();
    expect(field('Amount to reach')).toHaveProperty('value', '6000.00');
    await events.clear(field('Amount to reach'));
    await events.type(field('Amount to reach'), '7000');
    await events.clear(dateField());
    await events.click(screen.getByRole('button', { name: 'Save the goal' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(bff.variablesOf(UpdateGoalDocument)).toEqual([{ id: 'goal-1', input: { name: 'Lisbon in the spring', targetAmount: '7000.00', clearTargetDate: true } }]);
  });

  it('shows a refusal that names a field under that field', async () => {
    const bff = createFakeBff();
    bff.on(CreateGoalDocument, refusal('BAD_USER_INPUT', 'targetDate must be after today.', { field: 'targetDate' }));
    const { events, onSaved } = setup(bff);
    await events.type(field('Name'), 'Sofa');
    await chooseAccount(events, /^Rainy day/);
    await events.type(field('Amount to reach'), '800');
    await events.type(dateField(), '2026-12-08');
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    await waitFor(() => expect(dateField().getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('targetDate must be after today.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('says under the account when insights cannot find it', async () => {
    const bff = createFakeBff();
    bff.on(CreateGoalDocument, refusal('NOT_FOUND', 'Account not found.', { field: 'accountId' }));
    const { events } = setup(bff);
    await events.type(field('Name'), 'Sofa');
    await chooseAccount(events, /^Rainy day/);
    await events.type(field('Amount to reach'), '800');
    await events.click(screen.getByRole('button', { name: 'Add the goal' }));
    expect(await screen.findByText('This account could not be found. It may have been closed: choose another.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it.each([
    ['NOT_FOUND (the goal is gone)', refusal('NOT_FOUND', 'Goal not found.'), 'This goal no longer exists. It may have been deleted elsewhere.'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'Missing scope', {}, 403), 'Your sign-in does not allow changing goals.'],
    ['BAD_USER_INPUT without a field', refusal('BAD_USER_INPUT', 'You can keep at most 50 goals.'), 'You can keep at most 50 goals.'],
    ['INTERNAL_SERVER_ERROR', { status: 500, body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, headers: { 'x-request-id': 'req-7' } }, 'Something went wrong on our side. (reference req-7)'],
  ] as const)('explains %s when changing a goal', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(UpdateGoalDocument, answer);
    const { events, onSaved } = setup(bff, lisbon);
    await events.click(screen.getByRole('button', { name: 'Save the goal' }));
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(onSaved).not.toHaveBeenCalled();
  });
});
