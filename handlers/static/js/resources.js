// The clinic's resources (doctors, rooms…) from GET /resources; the pages show them only when there are several.
import { get, payload } from './api.js';
import { isArabic } from './boot.js';

export async function loadResources() {
  try {
    const result = await get('/resources');
    return result.ok ? (payload(result) || []) : [];
  } catch { return []; }
}

export const resourceName = (r) => (isArabic ? r.name_ar : r.name_en);
