import type { EntityMetadata, EntityProperty, EntitySchema } from '@mikro-orm/core';
import { JsonType } from '@mikro-orm/core';

/**
 * Rows copied by their entity's own list of columns, so a view or a projection names only what it
 * leaves out or computes: a column added to the entity (and its migration) flows through unchanged.
 */

/** The entity's columns, in the order its definition lists them. */
export function columnsOf<T>(entity: EntitySchema<T, never>): (keyof T & string)[] {
  return Object.keys(entity.meta.properties) as (keyof T & string)[];
}

/** A loaded row as a plain object of its columns but `omit` (a view adds what it computes). */
export function columnsExcept<T, K extends keyof T & string>(
  entity: EntitySchema<T, never>,
  row: T,
  omit: readonly K[],
): Omit<T, K> {
  const out: Partial<T> = {};
  for (const column of columnsOf(entity)) {
    if (!(omit as readonly string[]).includes(column)) out[column] = row[column];
  }
  return out as Omit<T, K>;
}

/**
 * A workflow's snapshot (JSON: instants as ISO strings) as the values of a raw insert of its table:
 * datetime columns become instants again and JSON columns are serialised, as the ORM's metadata says.
 */
export function snapshotValues(meta: EntityMetadata, snapshot: object): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(snapshot)) {
    const prop = (meta.properties as Record<string, EntityProperty | undefined>)[column];
    if (!prop) throw new Error(`${meta.className} has no column ${column}`);
    values[prop.fieldNames[0] ?? column] =
      value === null || value === undefined
        ? null
        : prop.runtimeType === 'Date'
          ? new Date(value as string)
          : prop.customType instanceof JsonType
            ? JSON.stringify(value)
            : value;
  }
  return values;
}
