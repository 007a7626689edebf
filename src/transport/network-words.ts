/**
 * Plain words for the connection failures that mean "wrong URL", not "receiver down", so the
 * operator reads the fix instead of a parser or OpenSSL message:
 * - a port whose service does not speak HTTP (SSH, a database, a raw TCP listener): undici's HTTP
 *   parser refuses the reply (HTTPParserError, llhttp's HPE_* codes);
 * - https:// to a port that speaks plain HTTP: OpenSSL reads the HTTP reply as a TLS record and
 *   reports "wrong version number" (EPROTO on older OpenSSL, ERR_SSL_WRONG_VERSION_NUMBER now).
 * Other failures keep their own message. The URL named is the sink's, which never holds
 * credentials (the transport refuses user:pass@ URLs).
 */
export function explainNetworkError(
  url: string,
  error: { readonly name?: string; readonly code: string; readonly message: string },
): { code: string; message: string } | undefined {
  if (error.name === 'HTTPParserError' || error.code.startsWith('HPE_')) {
    return {
      code: error.code.startsWith('HPE_') ? error.code : 'HTTP_PARSE_ERROR',
      message: `the receiver at ${url} did not answer HTTP (is it the right port?): ${error.message}`,
    };
  }
  if (
    error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    ((error.code === 'EPROTO' || error.code.startsWith('ERR_SSL_')) &&
      /wrong version number/i.test(error.message))
  ) {
    return {
      code: error.code,
      message: `the receiver at ${url} does not speak TLS: use http://, or check the port`,
    };
  }
  return undefined;
}
