import { scopeAllows, type AgencyAccess } from '../identity/agency-access.js';
import type { TraceViewer } from './statistics-subjects.js';

/**
 * Whose trace outcomes a viewer's statistics may count, as the trace lists would show them: an
 * NCB or the hub admin, its country's (any agency's); another agency, its own requests, and only
 * when approved to read trace requests. Figures across countries are protected like every other
 * measure, so they count any agency's requests for whoever may read traces at all.
 */
export function traceViewerOf(access: Pick<AgencyAccess, 'role' | 'scope'>, agency: string, scope: 'national' | 'global'): TraceViewer {
  if (!scopeAllows(access.scope, { module: 'traces', level: 'read' })) return null;
  return access.role === 'agency' && scope === 'national' ? { agency } : { agency: null };
}
