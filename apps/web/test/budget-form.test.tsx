/** @jest-environment jsdom */
import './support/dom-setup';
import { BudgetsDocument, CategoriesDocument, SetBudgetDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BudgetForm, type BudgetToEdit } from '../src/insights/budget-form';
import { createFakeBff, data, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

const category = (id: string, label: string, primary: string, primaryLabel: string) => ({ id, label, primary, primaryLabel });
const food = category('FOOD_AND_DRINK', 'Food and drink', 'FOOD_AND_DRINK', 'Food and drink');
const coffee = category('FOOD_AND_DRINK_COFFEE', 'Coffee', 'FOOD_AND_DRINK', 'Food and drink');
const groceries = category('FOOD_AND_DRINK_GROCERIES', 'Groceries', 'FOOD_AND_DRINK', 'Food and drink');
const transport = category('TRANSPORTATION', 'Transportation', 'TRANSPORTATION', 'Transportation');
const taxi = category('TRANSPORTATION_TAXIS_AND_RIDE_SHARES', 'Taxis and ride shares', 'TRANSPORTATION', 'Transportation');
const taxonomy = data({ categories: [{ category: food, detailed: [coffee, groceries] }, { category: transport, detailed: [taxi] }] });

const saved = (variables: Record<string, unknown>): FakeAnswer => {
  const input = variables.input as { category: string; amount: string; currency: 'GBP' | 'JPY' };
  const money = (amount: string) => ({ amount, currency: input.currency });
  const chosen = [food, coffee, groceries, transport, taxi].find((c) => c.id === input.category)!;
  return data({
    setBudget: { category: chosen, amount: money(input.amount), spent: money('0.00'), remaining: money(input.amount), projectedMonthEnd: money('0.00'), overBudget: false, projectedOver: false },
  });
};

type Events = ReturnType<typeof userEvent.setup>;

function setup(bff: FakeBff, props: { budget?: BudgetToEdit; currencies?: ('GBP' | 'EUR' | 'JPY')[] } = {}) {
  bff.on(CategoriesDocument, taxonomy);
  bff.on(BudgetsDocument, data({ me: { id: 'user-1', insights: { budgets: [] } } }));
  const onSaved = jest.fn();
  renderWithApp(<BudgetForm currencies={props.currencies ?? ['GBP', 'EUR']} defaultCurrency="GBP" budget={props.budget} onSaved={onSaved} />, bff);
  return { onSaved, events: userEvent.setup() };
}

async function chooseCategory(events: Events, option: RegExp) {
  await events.click(screen.getByRole('textbox', { name: 'Category' }));
  await events.click(await screen.findByRole('option', { name: option }));
}

const save = (events: Events, name = 'Add the budget') => events.click(screen.getByRole('button', { name }));
const setBudgetCalls = (bff: FakeBff) => bff.variablesOf(SetBudgetDocument);

describe('the budget form', () => {
  it('asks for a category and a sensible amount before sending anything', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await save(events);
    expect(await screen.findByText('Choose what the budget is for.')).toBeTruthy();
    expect(screen.getByText('Enter an amount.')).toBeTruthy();

    // Primary categories come first in their group, then their detailed ones.
    await events.click(screen.getByRole('textbox', { name: 'Category' }));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['All of food and drink', 'Coffee', 'Groceries', 'All of transportation', 'Taxis and ride shares']);
    await events.click(screen.getByRole('option', { name: 'Coffee' }));

    const amount = screen.getByRole('textbox', { name: 'Each month' });
    for (const [typed, problem] of [
      ['lots', 'Enter an amount like 25 or 25.50.'],
      ['0', 'Enter an amount greater than zero.'],
      ['12.345', 'This currency does not have that many decimal places.'],
    ]) {
      await events.clear(amount);
      await events.type(amount, typed);
      await save(events);
      expect(await screen.findByText(problem)).toBeTruthy();
    }
    expect(setBudgetCalls(bff)).toEqual([]);
  });

  it('knows the decimals of the chosen currency', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff, { currencies: ['GBP', 'JPY'] });
    await chooseCategory(events, /^Groceries$/);
    await events.click(screen.getByRole('textbox', { name: 'Currency' }));
    await events.click(await screen.findByRole('option', { name: 'JPY' }));
    await events.type(screen.getByRole('textbox', { name: 'Each month' }), '5000.5');
    await save(events);
    expect(await screen.findByText('This currency does not have that many decimal places.')).toBeTruthy();
    expect(setBudgetCalls(bff)).toEqual([]);
  });

  it('sets the budget with the amount as a decimal string in its currency', async () => {
    const bff = createFakeBff();
    bff.on(SetBudgetDocument, saved);
    const { events, onSaved } = setup(bff);
    await chooseCategory(events, /^All of food and drink$/);
    await events.type(screen.getByRole('textbox', { name: 'Each month' }), '1,250.5');
    await save(events);
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(setBudgetCalls(bff)).toEqual([{ input: { category: 'FOOD_AND_DRINK', amount: '1250.50', currency: 'GBP' } }]);
    expect(onSaved.mock.calls[0][0]).toMatchObject({ category: { id: 'FOOD_AND_DRINK' }, amount: { amount: '1250.50', currency: 'GBP' } });
  });

  it('changes only the amount of an existing budget, keeping its category and currency', async () => {
    const bff = createFakeBff();
    bff.on(SetBudgetDocument, saved);
    const { events, onSaved } = setup(bff, { budget: { category: taxi, amount: { amount: '40.00', currency: 'EUR' } } });
    expect(screen.getByText(/Monthly budget for/).textContent).toBe('Monthly budget for Taxis and ride shares (Transportation) in EUR');
    expect(screen.queryByRole('textbox', { name: 'Category' })).toBeNull();
    const amount = screen.getByRole('textbox', { name: 'Each month' });
    expect(amount).toHaveProperty('value', '40.00');
    await events.clear(amount);
    await events.type(amount, '55');
    await save(events, 'Save the budget');
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(setBudgetCalls(bff)).toEqual([{ input: { category: 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES', amount: '55.00', currency: 'EUR' } }]);
  });

  it('shows a refusal that names a field under that field', async () => {
    const bff = createFakeBff();
    bff.on(SetBudgetDocument, refusal('BAD_USER_INPUT', 'amount must be greater than zero.', { field: 'amount' }));
    const { events, onSaved } = setup(bff);
    await chooseCategory(events, /^Coffee$/);
    await events.type(screen.getByRole('textbox', { name: 'Each month' }), '30');
    await save(events);
    const amount = screen.getByRole('textbox', { name: 'Each month' });
    await waitFor(() => expect(amount.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('amount must be greater than zero.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it.each([
    ['BAD_USER_INPUT without a field', refusal('BAD_USER_INPUT', 'Unknown category "X".'), 'Unknown category "X".'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'Missing scope insights:write', {}, 403), 'Your sign-in does not allow changing budgets.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'slow down', { retryAfter: 90 }, 429), 'Too many attempts. Try again in 2 minutes.'],
    ['SERVICE_UNAVAILABLE', refusal('SERVICE_UNAVAILABLE', 'insights is down', {}, 503), 'Meridian is busy right now. Try again in a moment.'],
    ['a network failure', 'network-error' as const, 'We could not reach Meridian. Check your connection and try again.'],
  ] as const)('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(SetBudgetDocument, answer);
    const { events, onSaved } = setup(bff);
    await chooseCategory(events, /^Coffee$/);
    await events.type(screen.getByRole('textbox', { name: 'Each month' }), '30');
    await save(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(onSaved).not.toHaveBeenCalled();
  });
});
