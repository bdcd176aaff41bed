// The one Alertmanager source's id, for the kind that collects it and the panes that read its state.
import { hostSourceId } from '../../../domain/source-id.js';

export const ALERTS_SOURCE = hostSourceId('', 'alerts');
