// The library ships no types; the end-user sign-in spec's provider process narrows what it uses.
declare module 'oidc-provider' {
  const Provider: unknown;
  export default Provider;
}
