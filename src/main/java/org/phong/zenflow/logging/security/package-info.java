/**
 * Who may do what, and what input is accepted.
 *
 * <p><b>Authentication and roles.</b> HTTP BASIC (web.xml) against the server's user registry,
 * chosen by {@code zenflow.logging.security.profile}: server.xml includes
 * {@code security-local.xml} (basicRegistry, the documented local users) or {@code security-production.xml}
 * (LDAP, authenticated /metrics). Each REST method names its role ({@link
 * org.phong.zenflow.logging.security.Roles}: writer, reader, admin) with {@code @RolesAllowed};
 * server.xml binds roles to registry groups. Live tails: web.xml constrains {@code /ws/*} to readers and
 * {@link org.phong.zenflow.logging.security.SecureHandshake} checks Origin and role again.
 *
 * <p><b>Safe by default.</b> The profile is {@code production} unless {@code local} is selected
 * (the local run and the ITs do so explicitly).
 *
 * <p><b>Production guard.</b> {@link org.phong.zenflow.logging.security.DefaultCredentialGuard} asks the
 * real registry (JAAS) at startup whether it accepts any of {@link
 * org.phong.zenflow.logging.security.LocalCredentials}; with the production profile a single yes fails
 * the deployment, and so does a registry that cannot be asked (fail closed: "could not ask" is never
 * "refused", {@link org.phong.zenflow.logging.security.JaasCredentialCheck}) and a well-known database
 * password. LocalCredentialsTest keeps that list equal to security-local.xml.
 *
 * <p><b>Transport.</b> {@link org.phong.zenflow.logging.security.TransportGuard} refuses plain HTTP on
 * the API and live tails in production (403 naming the key to change).
 *
 * <p><b>Bounds.</b> {@link org.phong.zenflow.logging.security.RequestBounds} holds the shared
 * {@link org.phong.zenflow.logging.security.ConcurrencyLimit}s (durability waits, long-polls, live-tail
 * sessions overall and per user): every acquire is matched by one release, a refusal holds nothing.
 *
 * <p><b>Input limits</b> ({@link org.phong.zenflow.logging.security.InputLimits}) are checked per entry
 * object of an HTTP request before anything of it is routed: field lengths, metadata size and depth,
 * a ts window around the time of arrival (so a client cannot make the store create partitions for
 * arbitrary months); over-long messages are truncated with a marker instead of rejected. Invariants:
 * a request is accepted whole or not at all; every refusal names its field; limits never apply to
 * entries already accepted (they are enforced at the edge, not in the pipeline).
 */
package org.phong.zenflow.logging.security;
