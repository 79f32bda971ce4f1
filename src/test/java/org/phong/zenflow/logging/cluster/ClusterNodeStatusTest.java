package org.phong.zenflow.logging.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The readiness verdict of a node, from its state (the states themselves come from ClusterNodeTest's real broker). */
class ClusterNodeStatusTest {
    private static PartitionOwnerLoop.Stats loop(boolean running) {
        return new PartitionOwnerLoop.Stats(10, 8, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, running, null);
    }

    private static ClusterNode.Status status(boolean started, boolean closed, boolean producerReady, boolean loopRunning) {
        return new ClusterNode.Status("node-a", started, closed, producerReady, producerReady ? "ready" : "refused (TimeoutException)",
                new IngestProducer.Stats(10, 0, producerReady ? 0 : 1), loop(loopRunning), new OutputPublisher.Stats(8, 0));
    }

    @Test
    void aRunningNodeWithAReadyProducerAndALiveLoopHasNoProblem() {
        ClusterNode.Status s = status(true, false, true, true);
        assertEquals(List.of(), s.problems());
        assertFalse(s.loopDied());
    }

    @Test
    void aDeadLoopWhileTheNodeShouldRunIsAProblemNamingWhatToDo() {
        ClusterNode.Status s = status(true, false, true, false);
        assertTrue(s.loopDied());
        assertEquals(1, s.problems().size());
        assertTrue(s.problems().get(0).contains("owner loop has stopped") && s.problems().get(0).contains("restart"), s.problems().toString());
    }

    @Test
    void aProducerThatCannotHandRecordsToKafkaIsAProblemNamingTheBrokersKey() {
        List<String> p = status(true, false, false, true).problems();
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains("refused (TimeoutException)") && p.get(0).contains("bootstrap.servers"), p.toString());
    }

    @Test
    void aStoppedNodeIsNotReadyButItsLoopDidNotDie() {
        ClusterNode.Status s = status(true, true, true, false);
        assertFalse(s.loopDied(), "a loop stopped by close() did not die");
        assertEquals(List.of("cluster node stopped"), s.problems());
        assertEquals(List.of("cluster node not started"), status(false, false, false, false).problems());
    }
}
