import { Transform } from 'class-transformer';

/**
 * Query parameters arrive as strings. These convert only exact spellings, so `1e3`, ` 1` or
 * `yes` stay strings and fail validation instead of being guessed at.
 */
export function QueryInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value,
  );
}

export function QueryBoolean(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );
}
