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
 * <p><b>Production guard.</b> {@link org.phong.zenflow.logging.security.DefaultCredentialGuard} asks the
 * real registry (JAAS) at startup whether it accepts any of {@link
 * org.phong.zenflow.logging.security.LocalCredentials}; with the production profile a single yes fails
 * the deployment. LocalCredentialsTest keeps that list equal to security-local.xml.
 *
 * <p><b>Input limits</b> ({@link org.phong.zenflow.logging.security.InputLimits}) are checked per entry
 * object of an HTTP request before anything of it is routed: field lengths, metadata size and depth,
 * a ts window around the time of arrival (so a client cannot make the store create partitions for
 * arbitrary months); over-long messages are truncated with a marker instead of rejected. Invariants:
 * a request is accepted whole or not at all; every refusal names its field; limits never apply to
 * entries already accepted (they are enforced at the edge, not in the pipeline).
 */
package org.phong.zenflow.logging.security;
