// The generated fleet, pure and seeded: any device is rebuilt from (seed, index) alone, so a
// fleet of 100,000 costs one byte-pair per device (its model) plus what actually changed.
// Device ids, uniqueIds and user ids carry the index in their last part, so a lookup by id
// decodes the index and regenerates the device to check it.
//
// Tag conventions (the example config repository depends on them): notes carry `#word`
// tokens — one site tag (`#site-paris` ~45 %, `#site-nyc` ~45 %, `#site-lisbon` ~10 %),
// `#lab` on ~4 % of devices, `#vip` on ~8 % of Teams Rooms, Android bars and Surface Hubs,
// `#basic` (Teams Rooms Basic licence) on ~80 % of Lisbon devices (~8 % of the fleet). About 4 % of firmware-capable devices (~3 % of
// the fleet) run a firmware version outside their model's verified list.
import type { DeviceType, HealthStatus, SoftwareType } from '../../model/fleet.ts';
import { deviceTypeWeights, models, platformSoftware, type ModelSpec } from './catalog.ts';
import { createRandom, hashSeed, mix, pick, pickWeighted, randomHex, randomInt, type Random } from './prng.ts';
import { dayMs, generateReleases, type ModelReleases, type Release } from './releases-gen.ts';

export type ActivityState = 'unknown' | 'busy' | 'idle' | 'unavailable';
export type SiteKey = 'paris' | 'nyc' | 'lisbon';

export interface Site {
  readonly key: SiteKey;
  readonly tag: string;
  readonly label: string;
  readonly timeZone: string;
  readonly city: string;
}

/** The three offices of the generated company. */
export const sites: Readonly<Record<SiteKey, Site>> = {
  paris: { key: 'paris', tag: 'site-paris', label: 'Paris HQ', timeZone: 'Europe/Paris', city: 'Paris' },
  nyc: { key: 'nyc', tag: 'site-nyc', label: 'New York office', timeZone: 'America/New_York', city: 'New York' },
  lisbon: { key: 'lisbon', tag: 'site-lisbon', label: 'Lisbon office', timeZone: 'Europe/Lisbon', city: 'Lisbon' },
};

/** What the fleet is generated from; everything else derives from these three. */
export interface FleetSpec {
  /** The seed hashed to 32 bits. */
  readonly seed: number;
  readonly deviceCount: number;
  /** The instant the fleet was generated "at": releases are spread over the months before it. */
  readonly epoch: number;
  /** Generated releases per model index (releases added later through control live elsewhere). */
  readonly releases: readonly ModelReleases[];
  /** Model index of every device. */
  readonly modelOf: Uint16Array;
  /** Default failure rate of software updates per model index (0.01–0.08, from the seed). */
  readonly failureRates: readonly number[];
}

/** One generated device, before any update changed it. */
export interface DeviceRecord {
  readonly index: number;
  readonly id: string;
  readonly deviceType: DeviceType;
  readonly modelIndex: number;
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly uniqueId: string;
  readonly macAddresses: readonly string[];
  readonly site: Site;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly companyAssetTag: string | null;
  readonly healthStatus: HealthStatus;
  readonly activityState: ActivityState;
  readonly createdAt: number;
  readonly lastModifiedAt: number;
  /** The account signed in: a room's resource account (its mailbox is the room's calendar) or a person. */
  readonly currentUser: { readonly id: string; readonly displayName: string; readonly userPrincipalName: string } | null;
  /** Installed version per software type the model supports, at generation. */
  readonly software: Partial<Record<SoftwareType, string>>;
  /** Runs a firmware version Microsoft never verified for its model. */
  readonly unknownFirmware: boolean;
}

const salt = { device: 101, id: 102, user: 103, idMask: 104, userMask: 105, failure: 106 } as const;
const indexSpace = 2 ** 48;

const modelsByType = new Map<DeviceType, (readonly [number, number])[]>();
models.forEach((spec, index) => {
  const list = modelsByType.get(spec.deviceType) ?? [];
  list.push([index, spec.weight]);
  modelsByType.set(spec.deviceType, list);
});

function drawModel(random: Random): number {
  const type = pickWeighted(random, deviceTypeWeights);
  const candidates = modelsByType.get(type);
  if (!candidates) throw new Error(`no model for device type ${type}`);
  return pickWeighted(random, candidates);
}

function deviceRandom(seed: number, index: number): Random {
  return createRandom(mix(seed, index, salt.device));
}

/** Builds the fleet spec: the model of every device and the generated release history. */
export function createFleetSpec(options: { seed: number | string; deviceCount: number; epoch: number }): FleetSpec {
  const seed = hashSeed(options.seed);
  if (!Number.isInteger(options.deviceCount) || options.deviceCount < 0 || options.deviceCount > 1_000_000) {
    throw new RangeError(`deviceCount must be an integer from 0 to 1000000, got ${options.deviceCount}`);
  }
  const modelOf = new Uint16Array(options.deviceCount);
  for (let i = 0; i < options.deviceCount; i++) modelOf[i] = drawModel(deviceRandom(seed, i));
  const failureRates = models.map((_, k) => 0.01 + createRandom(mix(seed, k, salt.failure))() * 0.07);
  return { seed, deviceCount: options.deviceCount, epoch: options.epoch, releases: generateReleases(seed, options.epoch), modelOf, failureRates };
}

function maskOf(seed: number, which: number): number {
  return (mix(seed, which) * 65536 + (mix(seed, which, 7) & 0xffff)) % indexSpace;
}

/** A GUID whose last group encodes the index (so it can be decoded without a lookup table). */
function indexedGuid(random: Random, index: number, mask: number): string {
  const tail = ((index + mask) % indexSpace).toString(16).padStart(12, '0');
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${randomHex(random, 8)}-${randomHex(random, 4)}-4${randomHex(random, 3)}-${variant}${randomHex(random, 3)}-${tail}`;
}

function indexFromGuid(text: string, mask: number, deviceCount: number): number | undefined {
  const match = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})$/i.exec(text.trim());
  if (!match?.[1]) return undefined;
  const index = (parseInt(match[1], 16) - mask + indexSpace) % indexSpace;
  return index < deviceCount ? index : undefined;
}

/** The device id of the device at `index`. */
export function deviceIdAt(spec: FleetSpec, index: number): string {
  return indexedGuid(createRandom(mix(spec.seed, index, salt.id)), index, maskOf(spec.seed, salt.idMask));
}

function userIdAt(spec: FleetSpec, index: number): string {
  return indexedGuid(createRandom(mix(spec.seed, index, salt.user)), index, maskOf(spec.seed, salt.userMask));
}

/** The index of the device with this id, or undefined when no device has it (ids compare case-insensitively). */
export function findDeviceIndex(spec: FleetSpec, id: string): number | undefined {
  const index = indexFromGuid(id, maskOf(spec.seed, salt.idMask), spec.deviceCount);
  return index !== undefined && deviceIdAt(spec, index) === id.trim().toLowerCase() ? index : undefined;
}

/** The index of the device whose signed-in user has this id. */
export function findIndexByUserId(spec: FleetSpec, userId: string): number | undefined {
  const index = indexFromGuid(userId, maskOf(spec.seed, salt.userMask), spec.deviceCount);
  if (index === undefined) return undefined;
  return generateDevice(spec, index).currentUser?.id === userId.trim().toLowerCase() ? index : undefined;
}

/** The index of the device with this hardwareDetail.uniqueId (exact match). */
export function findIndexByUniqueId(spec: FleetSpec, uniqueId: string): number | undefined {
  const match = /-(\d{6,})$/.exec(uniqueId);
  if (!match?.[1]) return undefined;
  const index = Number(match[1]) - 1;
  if (index < 0 || index >= spec.deviceCount) return undefined;
  return generateDevice(spec, index).uniqueId === uniqueId ? index : undefined;
}

const uniquePrefix: Record<DeviceType, string> = {
  unknown: 'dev', ipPhone: 'phone', lowCostPhone: 'phone', teamsRoom: 'mtr', collaborationBar: 'bar', touchConsole: 'console',
  teamsPanel: 'panel', teamsDisplay: 'display', surfaceHub: 'hub', sip: 'sip', sipAnalog: 'ata',
};
const roomTypes: ReadonlySet<DeviceType> = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub', 'touchConsole', 'teamsPanel']);
const vipTypes: ReadonlySet<DeviceType> = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub']);
const firstNames = ['Amelie', 'Bruno', 'Chloe', 'Diego', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Lucas', 'Maya', 'Nadia', 'Omar', 'Paula', 'Rui', 'Sofia', 'Tom', 'Yara'];
const lastNames = ['Almeida', 'Bernard', 'Costa', 'Dubois', 'Evans', 'Fontaine', 'Garcia', 'Hughes', 'Ito', 'Kowalski', 'Laurent', 'Martins', 'Nguyen', 'Okafor', 'Petit', 'Rossi', 'Silva', 'Turner', 'Walsh', 'Moreau'];

function drawSite(random: Random): Site {
  return sites[pickWeighted<SiteKey>(random, [['paris', 45], ['nyc', 45], ['lisbon', 10]])];
}

function drawHealth(random: Random): HealthStatus {
  return pickWeighted<HealthStatus>(random, [['healthy', 86], ['nonUrgent', 7], ['critical', 4], ['offline', 3]]);
}

function describeLocation(random: Random, type: DeviceType): { place: string; room: string } {
  const floor = randomInt(random, 0, 12);
  const room = `${floor}.${String(randomInt(random, 1, 30)).padStart(2, '0')}`;
  if (type === 'teamsPanel') return { place: `outside room ${room}`, room };
  if (roomTypes.has(type)) return { place: `room ${room}`, room };
  return { place: `desk ${floor}.${randomInt(random, 100, 260)}`, room };
}

/** The mail domain of the generated company (a reserved name: nothing real answers for it). */
export const mailDomain = 'contoso.example';

/**
 * The user principal name of a device's account; it ends with the device's number so that a
 * calendar request for it finds the device without a table (findIndexByPrincipalName).
 */
function principalName(type: DeviceType, room: string, site: Site, firstName: string, lastName: string, index: number): string {
  const number = String(index + 1).padStart(6, '0');
  const local = roomTypes.has(type) ? `room-${site.key}-${room}-${number}` : `${firstName}.${lastName}.${number}`;
  return `${local.toLowerCase()}@${mailDomain}`;
}

/** The index of the device whose signed-in account has this user principal name (case-insensitive). */
export function findIndexByPrincipalName(spec: FleetSpec, name: string): number | undefined {
  const match = /[.-](\d{6,})@/.exec(name.trim().toLowerCase());
  if (!match?.[1]) return undefined;
  const index = Number(match[1]) - 1;
  if (index < 0 || index >= spec.deviceCount) return undefined;
  return generateDevice(spec, index).currentUser?.userPrincipalName === name.trim().toLowerCase() ? index : undefined;
}

/** Picks the version a device starts on: usually an older verified release, sometimes the newest. */
function drawStartVersion(random: Random, releases: readonly Release[]): string {
  const verified = releases.filter((r) => r.verified);
  const newest = verified[verified.length - 1] ?? releases[releases.length - 1];
  if (!newest) throw new Error('a software stream without releases');
  if (verified.length < 2 || random() < 0.15) return newest.version;
  return pick(random, verified.slice(0, -1)).version;
}

/** A firmware version outside the model's verified list: an unverified release or a hotfix build. */
function drawUnknownFirmware(random: Random, releases: readonly Release[]): string {
  const unverified = releases.filter((r) => !r.verified);
  if (unverified.length > 0 && random() < 0.5) return pick(random, unverified).version;
  const base = pick(random, releases.slice(0, Math.max(1, releases.length - 1)));
  return `${base.version}.${randomInt(random, 901, 999)}`;
}

/** Regenerates the device at `index` exactly as it was generated. */
export function generateDevice(spec: FleetSpec, index: number): DeviceRecord {
  if (!Number.isInteger(index) || index < 0 || index >= spec.deviceCount) throw new RangeError(`no device at index ${index}`);
  const random = deviceRandom(spec.seed, index);
  // The first draws must stay the model draw: createFleetSpec precomputes it the same way.
  const modelIndex = drawModel(random);
  const model = models[modelIndex] as ModelSpec;
  const type = model.deviceType;
  const site = drawSite(random);
  const tags = [site.tag];
  if (random() < 0.04) tags.push('lab');
  const vipDraw = random();
  if (vipTypes.has(type) && vipDraw < 0.08) tags.push('vip');
  // The Lisbon office runs on Teams Rooms Basic licences (examples/groups/basic-rooms.yaml).
  const basicDraw = random();
  if (site.tag === 'site-lisbon' && basicDraw < 0.8) tags.push('basic');
  const location = describeLocation(random, type);
  const notes = `${site.label}, ${location.place} ${tags.map((t) => `#${t}`).join(' ')}`;
  const companyAssetTag = random() < 0.92 ? `IT-${String(index + 1).padStart(5, '0')}` : null;
  const healthStatus = drawHealth(random);
  const activityDraw = random();
  const activityState: ActivityState = healthStatus === 'offline' ? 'unavailable' : activityDraw < 0.72 ? 'idle' : activityDraw < 0.97 ? 'busy' : 'unknown';
  const createdAt = spec.epoch - randomInt(random, 30, 730) * dayMs - randomInt(random, 0, dayMs - 1);
  const lastModifiedAt = createdAt + Math.floor(random() * (spec.epoch - createdAt));
  const serialNumber = `${model.manufacturer.slice(0, 2).toUpperCase()}${randomHex(random, 8).toUpperCase()}`;
  const macAddresses = model.platform === 'sip' && type === 'sipAnalog' ? [] : [Array.from({ length: 6 }, (_, k) => (k === 0 ? '00' : randomHex(random, 2).toUpperCase())).join(':')];
  const userDraw = random();
  const firstName = pick(random, firstNames);
  const lastName = pick(random, lastNames);
  let currentUser: DeviceRecord['currentUser'] = null;
  if (type !== 'sip' && type !== 'sipAnalog' && userDraw < 0.9) {
    const displayName = roomTypes.has(type) ? `Room ${location.room} ${site.city}` : `${firstName} ${lastName}`;
    currentUser = { id: userIdAt(spec, index), displayName, userPrincipalName: principalName(type, location.room, site, firstName, lastName, index) };
  }
  const software: Partial<Record<SoftwareType, string>> = {};
  const releases = spec.releases[modelIndex] ?? {};
  for (const softwareType of platformSoftware[model.platform]) {
    const stream = releases[softwareType];
    if (stream) software[softwareType] = drawStartVersion(random, stream);
  }
  let unknownFirmware = false;
  const firmware = releases.firmware;
  if (random() < 0.04 && firmware) {
    software.firmware = drawUnknownFirmware(random, firmware);
    unknownFirmware = true;
  }
  // SIP devices report a firmware version the Teams service knows nothing about.
  if (model.platform === 'sip') software.firmware = `${randomInt(random, 5, 8)}.${randomInt(random, 0, 9)}.${randomInt(random, 0, 40)}`;
  return {
    index, id: deviceIdAt(spec, index), deviceType: type, modelIndex, manufacturer: model.manufacturer, model: model.model,
    serialNumber, uniqueId: `${uniquePrefix[type]}-${site.key}-${String(index + 1).padStart(6, '0')}`, macAddresses, site, tags, notes,
    companyAssetTag, healthStatus, activityState, createdAt, lastModifiedAt, currentUser, software, unknownFirmware,
  };
}
