/** Builder variables a build command may see: enough to find tools, certificates and package mirrors. */
const FROM_BUILDER = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS']);
const BUILDER_PREFIXES = /^(PIP_|COREPACK_)/;
/**
 * The npm settings of the builder's environment a build takes: where packages come from and how
 * to reach it. Not the rest: npm puts every setting of its own (userconfig, nodedir, prefix...)
 * into the environment of what it starts, so a builder started by `npm start` would hand builds
 * host paths and settings newer npms warn about.
 */
const NPM_SETTINGS = /^npm_config_(registry|.+:registry|proxy|https_proxy|noproxy|strict_ssl|cafile|\/\/.+)$/i;

/** Whether a variable of the builder's own environment is a package tool's setting a build takes. */
export function isToolSetting(name: string): boolean {
  return BUILDER_PREFIXES.test(name) || NPM_SETTINGS.test(name);
}

/** Config vars a build never takes from the app, as Heroku's buildpacks refuse them: they would break the builder's tools. */
const BLOCKED = new Set(['PATH', 'HOME', 'GIT_DIR', 'CPATH', 'CPPATH', 'LD_PRELOAD', 'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'PYTHONHOME']);

/**
 * The environment of a build command: a few of the builder's own variables (never its secrets),
 * then the command's defaults, then the app's config vars (so PIP_INDEX_URL, PIP_FIND_LINKS,
 * NPM_CONFIG_REGISTRY... set on the app win), minus the blocked names.
 */
export function buildEnv(
  builder: Readonly<Record<string, string | undefined>>,
  defaults: Readonly<Record<string, string>>,
  config: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(builder)) {
    if (v !== undefined && (FROM_BUILDER.has(k) || isToolSetting(k))) env[k] = v;
  }
  Object.assign(env, defaults);
  for (const [k, v] of Object.entries(config)) {
    if (!BLOCKED.has(k)) env[k] = v;
  }
  return env;
}
