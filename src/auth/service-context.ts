import type { ServiceClientConfig, ServiceRight } from '../config';
import { SERVICE_RIGHTS } from '../config';

/** Who calls a `svc` route: a client of the platform, never a person (DESIGN 13). */
export interface ServiceContext {
  clientId: string;
  /** The rights its token asked for that its SERVICE_CLIENTS entry grants. */
  rights: ServiceRight[];
  /** The organizations it may act on. */
  organizations: '*' | number[];
  requestId: string;
}

/** Every right on every organization: a client outside production when SERVICE_CLIENTS is unset. */
export const ANY_CLIENT: ServiceClientConfig = { rights: [...SERVICE_RIGHTS], organizations: '*' };

/** The rights a client holds: those its token asks for that its entry also grants. */
export function grantedRights(grants: string[], entry: ServiceClientConfig): ServiceRight[] {
  return entry.rights.filter((right) => grants.includes(right));
}

/** Whether a client may act on (or see) an organization. */
export function reachesOrganization(
  service: Pick<ServiceContext, 'organizations'>,
  organizationId: number,
): boolean {
  return service.organizations === '*' || service.organizations.includes(organizationId);
}
