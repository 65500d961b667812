package dev.lbaas.amphora.testing;

import net.jqwik.api.lifecycle.AroundContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;

/**
 * The checks every amphora test has ({@link NettyLeakCheck}, {@link EventLoopBlockingCheck}) for
 * jqwik's property containers, which JUnit Jupiter's extensions do not reach. Added with
 * {@code @AddLifecycleHook(JqwikAmphoraChecks.class)}; it runs outside the container's own
 * {@code @AfterContainer} methods, so that what they shut down is checked too.
 */
public final class JqwikAmphoraChecks implements AroundContainerHook {

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        // Both install themselves when loaded, which must come before any Netty buffer class.
        ClassLoader loader = JqwikAmphoraChecks.class.getClassLoader();
        try {
            Class.forName(NettyLeakCheck.class.getName(), true, loader);
            Class.forName(EventLoopBlockingCheck.class.getName(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        try {
            NettyLeakCheck.assertNoLeak(context.label());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        EventLoopBlockingCheck.assertNoBlockingCall(context.label());
    }
}
