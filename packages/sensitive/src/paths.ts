/**
 * Which files the secret scan reads. Package test fixtures, vendored dependencies and
 * documentation are allow-listed (their keys are published samples: gitleaks and Trivy skip
 * them too); media, archives and compiled files never hold a readable secret.
 */
const ALLOWED = new RegExp(
  [
    String.raw`(?:^|/)node_modules/`,
    String.raw`(?:^|/)bower_components/`,
    String.raw`(?:^|/)(?:site|dist)-packages/`,
    String.raw`(?:^|/)lib(?:64)?/python[23](?:\.\d+)*/`,
    String.raw`(?:^|/)vendor/`,
    String.raw`(?:^|/)gems/[^/]+/`,
    String.raw`(?:^|/)(?:go|golang)/(?:src|pkg)/`,
    String.raw`(?:^|/)(?:tests?|testdata|test-data|testing|fixtures?|__tests__|spec|specs|examples?|samples?|demo)/`,
    String.raw`^usr/share/(?:doc|man|info|locale|i18n|zoneinfo|perl5?|icons|fonts|mime|terminfo|X11|help|gtk-doc|javascript|texmf|dict|common-licenses)/`,
    String.raw`^usr/(?:include|src)/`,
    String.raw`^usr/lib/(?:locale|jvm/[^/]+/(?:legal|man|lib/src\.zip))/`,
    String.raw`^(?:proc|sys|dev)/`,
    String.raw`^var/lib/(?:dpkg|apt|rpm|apk|yum|dnf)/`,
    String.raw`^etc/ssl/certs/`,
    String.raw`^usr/share/ca-certificates/`,
    String.raw`(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Pipfile\.lock|poetry\.lock|Cargo\.lock|go\.sum|composer\.lock|Gemfile\.lock|gradle\.lockfile)$`,
  ].join('|'),
);

const NEVER_TEXT =
  /\.(?:png|jpe?g|gif|bmp|ico|tiff?|webp|svgz|woff2?|[ot]tf|eot|pdf|docx?|xlsx?|zip|jar|war|ear|whl|egg|gz|tgz|bz2|xz|zst|lz4|7z|rar|deb|rpm|apk|so(?:\.\d+)*|a|o|ko|pyc|pyo|class|mo|gmo|wasm|node|exe|dll|bin|dat|db|sqlite3?|mp[34]|ogg|wav|avi|mov|pack|idx|map)$/i;

/** Key stores are binary but read by format. */
const KEY_STORE = /\.(?:p12|pfx)$/i;

/** Allow-listed: package test fixtures, vendored code, documentation, package databases. */
export const isAllowListed = (path: string) => ALLOWED.test(path);

/** Whether the secret scan reads this file at all (before its bytes are kept). */
export const wantsFile = (path: string) =>
  KEY_STORE.test(path) || (!NEVER_TEXT.test(path) && !ALLOWED.test(path));
