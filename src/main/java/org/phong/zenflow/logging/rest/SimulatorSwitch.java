package org.phong.zenflow.logging.rest;

import jakarta.ws.rs.NotFoundException;
import org.phong.zenflow.logging.config.AdminSettings;
import org.phong.zenflow.logging.config.SecuritySettings;

/**
 * The switch of the operators' test aids (the engine simulator, the live-tail load and disconnect
 * endpoints): unless {@code zenflow.logging.admin.simulator.enabled} is set under the local security
 * profile ({@link AdminSettings#aidsEnabled}), each answers 404 with the same problem detail
 * ({@link ApiDocs#SIMULATOR_OFF_DETAIL}) as if it did not exist, before it reads its input.
 */
public final class SimulatorSwitch {
    private SimulatorSwitch() {
    }

    /**
     * @param admin    the admin settings
     * @param security the security settings (their profile)
     * @throws NotFoundException when the test aids are off
     */
    public static void requireOn(AdminSettings admin, SecuritySettings security) {
        if (!admin.aidsEnabled(security.profile())) throw new NotFoundException(ApiDocs.SIMULATOR_OFF_DETAIL);
    }
}
