/** Request and answer examples of the decision point, consistent with the demo data (DESIGN 9). */
const member = (id: string) => ({ type: 'member', id, properties: { organizationId: 1 } });
const user = (sub: string) => ({ type: 'user', id: sub });

export const EVALUATION_EXAMPLES = {
  readMember: {
    summary: 'May bob read carol? (member read)',
    value: { subject: user('bob'), resource: member('3'), action: { name: 'read' } },
  },
  updateProfile: {
    summary: "May carol change bob's profile? (MANAGES_GROUP)",
    value: { subject: user('carol'), resource: member('2'), action: { name: 'update_profile' } },
  },
  manageGroup: {
    summary: 'May carol manage the Day team? (group manage)',
    value: {
      subject: user('carol'),
      resource: { type: 'group', id: '1', properties: { organizationId: 1 } },
      action: { name: 'manage' },
    },
  },
  administer: {
    summary: 'May bob administer organization 1? (NOT_ALLOWED)',
    value: {
      subject: user('bob'),
      resource: { type: 'organization', id: '1' },
      action: { name: 'administer' },
    },
  },
  byUserId: {
    summary: 'By this API’s user id: may user 1 (alice) read user 2?',
    value: {
      subject: { type: 'user_id', id: '1' },
      resource: member('2'),
      action: { name: 'read' },
    },
  },
};

export const REASON_EXAMPLES = Object.fromEntries(
  [
    ['SELF', true, 'The subject is the member.'],
    ['ADMINISTRATOR', true, 'The subject administers the organization.'],
    ['MANAGES_GROUP', true, "The member's group is in the subject's manage list."],
    ['READS_GROUP', true, "The member's group is in the subject's read list."],
    [
      'NOT_A_MEMBER',
      false,
      'The subject is no active member of it, or the client does not reach it.',
    ],
    ['ORGANIZATION_ARCHIVED', false, 'The organization is archived.'],
    ['TARGET_NOT_FOUND', false, 'No such active member or group in that organization.'],
    ['NOT_ALLOWED', false, 'No rule allows it.'],
  ].map(([reason, decision, summary]) => [
    reason as string,
    { summary: summary as string, value: { decision, context: { reason } } },
  ]),
);

export const EVALUATIONS_EXAMPLE = {
  defaults: {
    summary: 'bob reads three members, stopping at the first refusal',
    value: {
      subject: user('bob'),
      action: { name: 'read' },
      evaluations: [
        { resource: member('2') },
        { resource: member('3') },
        { resource: member('1') },
      ],
      options: { evaluations_semantic: 'deny_on_first_deny' },
    },
  },
};

export const SEARCH_EXAMPLES = {
  subject: {
    summary: "Who may change bob's profile?",
    value: {
      subject: { type: 'user_id' },
      resource: member('2'),
      action: { name: 'update_profile' },
      page: { limit: 50 },
    },
  },
  resource: {
    summary: 'Which members may carol read?',
    value: {
      subject: user('carol'),
      resource: { type: 'member', properties: { organizationId: 1 } },
      action: { name: 'read' },
    },
  },
  action: {
    summary: 'What may carol do to bob?',
    value: { subject: user('carol'), resource: member('2') },
  },
};
