// Who is speaking: readable labels and colours for HealthScribe roles, and the reviewer's fixes (which role
// each detected speaker has, and a display name), written straight into the transcript so that the page and
// the downloaded transcript.json always agree.

const ROLE = /^([A-Z]+)_(\d+)$/;
const KIND_ORDER = ['CLINICIAN', 'PATIENT'];
export const PALETTE_SIZE = 10; // .spk-0 … .spk-9 in style.css

function parse(role) {
  const m = ROLE.exec(role ?? '');
  return m ? { kind: m[1], index: Number(m[2]) } : { kind: role || '', index: 0 };
}

/** 'CLINICIAN_0' → 'Clinician', 'PATIENT_1' → 'Patient 2'; anything else is shown as written. */
export function roleLabel(role) {
  const { kind, index } = parse(role);
  if (!kind) return 'Speaker';
  const word = kind[0] + kind.slice(1).toLowerCase();
  return index ? `${word} ${index + 1}` : word;
}

/** A colour slot per role, the same for a role wherever it appears: clinicians even, patients odd. */
export function colourIndex(role) {
  const { kind, index } = parse(role);
  if (!kind) return 7; // no role at all: grey
  const k = KIND_ORDER.indexOf(kind);
  if (k >= 0) return (index * 2 + k) % PALETTE_SIZE;
  let h = 0;
  for (const c of String(role)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % PALETTE_SIZE;
}

/** Clinician before patient, then by number: CLINICIAN_0, PATIENT_0, CLINICIAN_1, … */
export function compareRoles(a, b) {
  const pa = parse(a);
  const pb = parse(b);
  const ka = KIND_ORDER.indexOf(pa.kind) >>> 0; // unknown kinds (-1) sort last
  const kb = KIND_ORDER.indexOf(pb.kind) >>> 0;
  return pa.index - pb.index || ka - kb || String(a).localeCompare(String(b));
}

export const segmentRole = (segment) => segment.ParticipantDetails?.ParticipantRole ?? '';

/**
 * The speakers of one transcript. Each speaker is known by the role the scribe first gave it (its `id`), so a
 * name stays with the person when roles are swapped. Every change rewrites ParticipantRole (and
 * ParticipantDetails.DisplayName, an extra field HealthScribe readers ignore) on all of that speaker's segments.
 */
export class Speakers {
  #segments;
  #owner; // segment index → speaker id
  #people = new Map(); // id → { id, role, name, lines }

  constructor(transcript) {
    this.#segments = transcript?.Conversation?.TranscriptSegments ?? [];
    this.#owner = this.#segments.map(segmentRole);
    for (const [i, id] of this.#owner.entries()) {
      let p = this.#people.get(id);
      if (!p) {
        p = { id, role: id, name: this.#segments[i].ParticipantDetails?.DisplayName ?? '', lines: 0 };
        this.#people.set(id, p);
      }
      p.lines += 1;
    }
  }

  /** Speakers in the order the scribe's roles sort (clinician first); the order never changes afterwards. */
  list() {
    return [...this.#people.values()].sort((a, b) => compareRoles(a.id, b.id)).map((p) => ({ ...p }));
  }

  /** Roles a speaker can be given: a clinician and a patient role per speaker, plus any role already in use. */
  roleChoices() {
    const roles = new Set();
    for (let i = 0; i < Math.max(1, this.#people.size); i++) for (const k of KIND_ORDER) roles.add(`${k}_${i}`);
    for (const p of this.#people.values()) roles.add(p.role);
    return [...roles].sort(compareRoles);
  }

  #holder(role) {
    return [...this.#people.values()].find((p) => p.role === role);
  }

  /** Gives speaker `id` the role `role`; a speaker who had that role takes this one's old role (a swap). */
  setRole(id, role) {
    const p = this.#people.get(id);
    if (!p || p.role === role) return false;
    const other = this.#holder(role);
    if (other) other.role = p.role;
    p.role = role;
    this.#write();
    return true;
  }

  /** Whether there is a CLINICIAN_0 and a PATIENT_0 to swap. */
  canSwap() {
    return Boolean(this.#holder('CLINICIAN_0') && this.#holder('PATIENT_0'));
  }

  /** Exchanges the roles of the speakers labelled CLINICIAN_0 and PATIENT_0. */
  swapClinicianAndPatient() {
    const clinician = this.#holder('CLINICIAN_0');
    return clinician && this.#holder('PATIENT_0') ? this.setRole(clinician.id, 'PATIENT_0') : false;
  }

  /** Sets (or, with an empty string, clears) the name shown for speaker `id`. */
  setName(id, name) {
    const p = this.#people.get(id);
    if (!p) return false;
    p.name = String(name).replace(/\s+/g, ' ').trim().slice(0, 60);
    this.#write();
    return true;
  }

  #write() {
    for (const [i, segment] of this.#segments.entries()) {
      const p = this.#people.get(this.#owner[i]);
      const details = (segment.ParticipantDetails ??= {});
      details.ParticipantRole = p.role;
      if (p.name) details.DisplayName = p.name;
      else delete details.DisplayName;
    }
  }
}
