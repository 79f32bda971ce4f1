/**
 * An example engine application built on the module jar, as docs/engine-integration.md describes: its own
 * classes next to {@code zenflow-logging-module.jar} in {@code WEB-INF/lib}.
 *
 * <ul>
 *   <li>{@link org.phong.zenflow.logging.example.ExampleEngine}: what an engine does, firing
 *       {@code WorkflowRunStarted}, {@code LogEntry} and {@code WorkflowRunCompleted} as CDI events or calling
 *       the injected {@code LogRouter}, and reading what became of its entries ({@code RouteResult}, drops).</li>
 *   <li>{@link org.phong.zenflow.logging.example.SimulatorResource}: the same engine over HTTP
 *       ({@code POST /api/v1/admin/simulate}), used by the ITs.</li>
 *   <li>{@code sink.ExampleSink}: a custom {@code LogSink} bean (in-container tests only).</li>
 * </ul>
 *
 * <p>This package is a test aid: it never enters the production WAR. The build adds it to the IT server's
 * application ({@code it-app} in pom.xml) and the in-container tests deploy it with the module jar.
 */
package org.phong.zenflow.logging.example;
