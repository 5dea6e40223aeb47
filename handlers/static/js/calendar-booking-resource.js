// The booking dialog's doctor/room choice, shown only when the clinic has several active resources: "Any"
// (the server's rule picks one) and each active resource taking the chosen type, named in the page's
// language. The times the dialog offers are the chosen resource's slots, or for "Any" the slots any of the
// candidates offers (calendar-plans.js).
import { h, t } from './boot.js';
import { resourceName } from './resources.js';

const takes = (resource, type) => resource.reservation_types == null || resource.reservation_types.includes(type);

export function resourceChoice(form, state) {
  const select = form.elements.resource;
  const box = document.getElementById('booking-resource-box');
  const several = () => state.resources.length > 1;
  const candidates = (type) => state.resources.filter((r) => takes(r, type));

  return {
    // `selected`: a resource id or null ("Any"). An edited booking keeps its resource listed even if it no
    // longer fits (switched off, or not taking the type), so the dialog does not silently move it.
    fill(type, selected, { editing = false } = {}) {
      box.hidden = !several();
      if (!several()) { select.replaceChildren(); return; }
      const listed = candidates(type);
      const own = editing && selected != null && !listed.some((r) => r.id === selected)
        ? state.allResources.find((r) => r.id === selected) : null;
      const options = [...(own ? [own] : []), ...listed].map((r) => h('option', { value: String(r.id) }, resourceName(r)));
      if (!editing) options.unshift(h('option', { value: '' }, t('any_resource')));
      select.replaceChildren(...options);
      const wanted = selected != null && [...select.options].some((o) => o.value === String(selected));
      select.value = wanted ? String(selected) : select.options[0]?.value ?? '';
    },
    // The chosen resource's id, null for "Any" or when there is no choice.
    value: () => (several() && select.value ? Number(select.value) : null),
    // The resources whose slots "Any" may book (null: every active one, as the clinic's day).
    candidateIds: (type) => (several() ? candidates(type).map((r) => r.id) : null),
  };
}
