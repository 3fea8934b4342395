import { displayNameProblem, IsDisplayName } from '../../common/validation/display-name';

export const GROUP_NAME_MAX_LENGTH = 250;

/** Why a group name is refused, or null: the rules of every stored name (DESIGN 7). */
export function groupNameProblem(value: unknown): string | null {
  return displayNameProblem(value, GROUP_NAME_MAX_LENGTH);
}

/** A group's name, stored in NFC. */
export function IsGroupName(): PropertyDecorator {
  return IsDisplayName(GROUP_NAME_MAX_LENGTH);
}
