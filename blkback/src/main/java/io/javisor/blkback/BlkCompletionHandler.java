package io.javisor.blkback;

/**
 * Told when a request submitted to a {@link BlkFront} completes.
 */
@FunctionalInterface
public interface BlkCompletionHandler
{
    /**
     * @param tag    the caller's tag given at submission.
     * @param status a blkif status: 0 okay, −1 error, −2 not supported.
     */
    void onComplete(long tag, int status);
}
