package org.phong.zenflow.logging.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} holders at once, overall and (optionally) per user: what keeps waiting requests
 * and open sessions from growing without bound. {@link #tryAcquire} never blocks; every successful
 * acquire must be matched by exactly one {@link #release} with the same user (callers release in a
 * {@code finally} or on the future's completion). Users with nothing held are forgotten, so the map
 * holds at most {@code max} users.
 */
public final class ConcurrencyLimit {
    private final String key;
    private final int max;
    private final int maxPerUser;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perUser = new ConcurrentHashMap<>();

    /**
     * @param key        the configuration key of the bound (named in refusals)
     * @param max        most holders at once
     * @param maxPerUser most holders of one user at once ({@code max} for no per-user bound)
     */
    public ConcurrencyLimit(String key, int max, int maxPerUser) {
        if (max < 1 || maxPerUser < 1) throw new IllegalArgumentException(key + ": bounds must be at least 1");
        this.key = key;
        this.max = max;
        this.maxPerUser = maxPerUser;
    }

    /** @return the key of the overall bound */
    public String key() {
        return key;
    }

    /** @return the overall bound */
    public int max() {
        return max;
    }

    /** @return holders now */
    public int held() {
        return held.get();
    }

    /**
     * @param user who asks (null: no per-user accounting)
     * @return null when acquired; else which bound refused: {@link #key()} or {@code "per-user"}
     */
    public String tryAcquire(String user) {
        if (held.incrementAndGet() > max) {
            held.decrementAndGet();
            return key;
        }
        if (user == null) return null;
        boolean[] over = {false};
        perUser.compute(user, (u, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() >= maxPerUser) over[0] = true;
            else c.incrementAndGet();
            return c.get() == 0 ? null : c;
        });
        if (over[0]) {
            held.decrementAndGet();
            return "per-user";
        }
        return null;
    }

    /** Gives back what {@link #tryAcquire} took for {@code user}. */
    public void release(String user) {
        held.decrementAndGet();
        if (user == null) return;
        perUser.computeIfPresent(user, (u, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    /** @return users holding something now (for tests) */
    int users() {
        return perUser.size();
    }
}
