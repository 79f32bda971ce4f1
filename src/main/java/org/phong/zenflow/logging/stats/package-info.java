/**
 * What the core tells the outside about itself, in plain Java (no MicroProfile here): the
 * {@link org.phong.zenflow.logging.stats.PipelineObserver} the router, buffers and collector call as
 * things happen, and the {@link org.phong.zenflow.logging.stats.EndToEndTracker} that follows sampled
 * entries from {@code route()} to the moment every durable sink has them.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Observer calls are made on the thread doing the work and must return at once: no I/O, no
 *       lock held across calls, never an exception (the MicroProfile bridge in {@code metrics} only
 *       increments counters and records into timers).</li>
 *   <li>Counting calls ({@code accepted}, {@code dropped}, {@code rejected}, {@code sinkWrote}, ...)
 *       are made for every entry or call, so a counter built on them is exact. Timing calls on the
 *       {@code route()} path are made for a <em>sample</em> of one call in
 *       {@link org.phong.zenflow.logging.stats.PipelineObserver#sampleEvery()}: an unsampled route
 *       pays one {@code ThreadLocalRandom} draw and a virtual call, a sampled one two
 *       {@code System.nanoTime()} reads and one small wrapper object.</li>
 *   <li>The tracker holds at most one sample per {@code sampleEvery} entries in flight, so its memory
 *       is bounded by admission control like everything else in flight.</li>
 * </ul>
 */
package org.phong.zenflow.logging.stats;
