// @peculiar/x509 registers its algorithms with tsyringe, which refuses to load without the
// Reflect metadata API (normally the reflect-metadata package, not installed here). x509's
// classes take no constructor arguments, so this minimal store of the three calls tsyringe makes
// is all it needs. Import this module before @peculiar/x509.
type MetadataStore = WeakMap<object, Map<unknown, unknown>>;
type ReflectWithMetadata = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

const reflect = Reflect as ReflectWithMetadata;
if (typeof reflect.getMetadata !== "function") {
  const store: MetadataStore = new WeakMap();
  reflect.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  reflect.getMetadata = (key, target) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const value = store.get(t)?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target) => {
    const entries = store.get(target) ?? new Map<unknown, unknown>();
    entries.set(key, value);
    store.set(target, entries);
  };
}
