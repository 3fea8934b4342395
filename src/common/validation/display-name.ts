import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { registerDecorator } from 'class-validator';
import { codePointLength } from './validators';

// With the `u` flag a well-formed surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL = /\p{Cc}/u;
/** Bidirectional marks, embeddings, overrides and isolates (Unicode's Bidi_Control). */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Zero-width space and non-joiner, and the byte-order mark (a zero-width no-break space). */
const ZERO_WIDTH = /[\u200B\u200C\uFEFF]/u;
/** The zero-width joiner, except between two pictographs of an emoji sequence. */
const STRAY_JOINER =
  /(?<!\p{Extended_Pictographic}(?:\uFE0E|\uFE0F|[\u{1F3FB}-\u{1F3FF}])?)\u200D|\u200D(?!\p{Extended_Pictographic})/u;
/** Whitespace at either end (the byte-order mark is judged as zero-width, below). */
const EDGE_WHITESPACE = /^[^\S\uFEFF]|[^\S\uFEFF]$/u;

/**
 * Why a name the API stores (a person's, a group's, an organization's, a profession's) is
 * refused, or null (DESIGN 7). Names are compared as stored, in NFC: characters that change how
 * a name looks without changing what it reads (controls, bidirectional overrides, zero-width
 * characters) are refused, so that two names that look the same are the same name.
 */
export function displayNameProblem(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const length = codePointLength(value);
  if (length < 1 || length > maxLength) return `must be 1 to ${maxLength} characters long`;
  // Whitespace at either end first: names are stored as sent, never trimmed, and MariaDB's PAD
  // SPACE comparison ("Day" = "Day ") would make the engines disagree on duplicates.
  if (EDGE_WHITESPACE.test(value)) return 'must not start or end with whitespace';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional control characters';
  if (ZERO_WIDTH.test(value) || STRAY_JOINER.test(value)) {
    return 'must not contain zero-width characters';
  }
  return null;
}

/** A string as stored: in Unicode NFC (anything else is left to the validators). */
export function toNfc(value: unknown): unknown {
  return typeof value === 'string' && !LONE_SURROGATE.test(value) ? value.normalize('NFC') : value;
}

/** A DTO's name property: normalized to NFC, then checked by displayNameProblem. */
export function IsDisplayName(maxLength = 250): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => toNfc(value)),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isDisplayName',
        target: target.constructor,
        propertyName: propertyName as string,
        constraints: [maxLength],
        options: { message: (args) => displayNameProblem(args.value, maxLength) ?? 'is not valid' },
        validator: { validate: (value: unknown) => displayNameProblem(value, maxLength) === null },
      }),
  );
}
