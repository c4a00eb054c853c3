import type { ComboboxItemGroup } from '@mantine/core';
import { CategoriesDocument } from '@meridian/client/web';
import { useMeridianQuery } from '../api/use-meridian';

/** The category taxonomy (16 primary categories and their detailed ones); it changes only with a release. */
export function useCategories() {
  return useMeridianQuery(CategoriesDocument, {}, { staleTime: 60 * 60_000 });
}

/** A category as the insights queries return it. */
export interface CategoryRef {
  id: string;
  label: string;
  primary: string;
  primaryLabel: string;
}

/** "Coffee (Food and drink)" for a detailed category, "Food and drink" for a primary one. */
export function categoryName(category: CategoryRef): string {
  return category.id === category.primary ? category.label : `${category.label} (${category.primaryLabel})`;
}

/** Options for a category picker: each primary category as a group, itself first ("All of …"), then its detailed ones. */
export function categoryOptions(groups: { category: CategoryRef; detailed: CategoryRef[] }[]): ComboboxItemGroup[] {
  return groups.map(({ category, detailed }) => ({
    group: category.label,
    items: [{ value: category.id, label: `All of ${category.label.toLowerCase()}` }, ...detailed.map((d) => ({ value: d.id, label: d.label }))],
  }));
}
