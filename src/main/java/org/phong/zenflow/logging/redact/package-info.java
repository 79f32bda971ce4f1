/**
 * Redaction: secrets are masked in an entry's message and metadata before any sink (PostgreSQL,
 * Kafka, live tails, ring buffer) sees the entry.
 *
 * <p><b>Where</b>: {@link org.phong.zenflow.logging.router.LogRouter}'s worker applies the
 * {@link org.phong.zenflow.logging.redact.Redactor} to each entry just before it enters the run's
 * buffer, i.e. off the caller's thread and before the entry can reach a batch, the ring buffer or
 * the collector. Every way in (HTTP, {@code route()}, CDI events) passes there.
 *
 * <p><b>What</b>: rules are regular expressions. A rule with a named group {@code secret} masks that
 * group only (so {@code password=hunter2} becomes {@code password=[REDACTED]} and the reader still
 * sees which secret was there); a rule without it masks the whole match. Built-in rules:
 * {@code password} and {@code api-key} (key/value forms such as {@code password=..}, {@code "apiKey":".."},
 * {@code client_secret: ..}, plus well-known key shapes: AWS access key ids, {@code sk-..}, GitHub and
 * Slack tokens, Google API keys), {@code bearer} ({@code Bearer ..}/{@code Basic ..} credentials and
 * JWTs); one custom pattern may be added by configuration.
 *
 * <p><b>Cost</b>: every built-in rule needs a trigger word (pass, pwd, secret, key, token, bearer,
 * basic, auth, eyJ, AKIA, ...); a hand-written case-insensitive scan for them runs first and the
 * regexes only on texts that contain one (a configured custom pattern always runs).
 *
 * <p><b>Metadata</b> is JSON: the same scan of its text decides whether anything may match; only then
 * is it parsed, every string value redacted with the same rules, and every member whose <em>key</em>
 * names a secret (password, apiKey, ...) masked whole, whatever its type; then written back as JSON.
 * The result is always valid JSON (text-level masking could cut an escape sequence in half).
 *
 * <p><b>Invariants</b>: an entry without a match is returned as the same instance (no allocation on
 * the common path); a redacted entry keeps every other field (ts, ids, level) unchanged; the mask
 * never contains characters that need escaping in JSON or COPY text.
 */
package org.phong.zenflow.logging.redact;
