package io.javisor.core.driver;

import io.javisor.ringio.xenstore.XenbusState;

import java.io.IOException;

/**
 * A driver domain back end's view of one device's xenstore directories, through its channel: writes
 * to its own directory in one round trip, reads of the front end's keys, and the watch on the front
 * end's state. Used by the one thread that runs the device's back end.
 */
final class BackendDirectory
{
    private final ParentLink link;
    private final String backendPath;
    private final String token;
    private String frontendPath;

    BackendDirectory(final ParentLink link, final int domid, final String type, final int frontendDomid, final int deviceId)
    {
        this.link = link;
        this.backendPath = "/local/domain/" + domid + "/backend/" + type + "/" + frontendDomid + "/" + deviceId;
        this.token = token(type, frontendDomid, deviceId);
    }

    /**
     * A device's token, which names it in its watch and in {@link DriverProtocol#DETACHED}, e.g. {@code vbd-3-51712}.
     */
    static String token(final String type, final int frontendDomid, final int deviceId)
    {
        return type + "-" + frontendDomid + "-" + deviceId;
    }

    /** The token of the watch on the front end's state. */
    String token()
    {
        return token;
    }

    String backendPath()
    {
        return backendPath;
    }

    /**
     * Finds the front end's directory (the toolstack's link) and watches its state.
     */
    void watchFrontend() throws IOException
    {
        final ParentLink.Reply frontend = link.xsRead(backendPath + "/frontend");
        if (frontend.status() < 0 || frontend.text() == null)
        {
            throw new IOException("no frontend link under " + backendPath + ": " + frontend.text());
        }
        frontendPath = frontend.text();
        final ParentLink.Reply watched = link.xsWatch(frontendPath + "/state", token);
        if (watched.status() < 0)
        {
            throw new IOException("cannot watch " + frontendPath + "/state: " + watched.text());
        }
    }

    /**
     * Stops watching the front end's state (the device is detached).
     */
    void unwatchFrontend() throws IOException
    {
        if (frontendPath != null)
        {
            link.xsUnwatch(frontendPath + "/state", token);
        }
    }

    /**
     * The front end's state; Closed when it cannot be read (its directory is gone).
     */
    XenbusState frontendState() throws IOException
    {
        final ParentLink.Reply reply = link.xsRead(frontendPath + "/state");
        if (reply.status() < 0 || reply.text() == null)
        {
            return XenbusState.CLOSED;
        }
        try
        {
            return XenbusState.parse(reply.text());
        }
        catch (final RuntimeException ex)
        {
            return XenbusState.CLOSED;
        }
    }

    /**
     * The front end's values of {@code keys}, null for those it has not written.
     */
    String[] readFrontend(final String... keys) throws IOException
    {
        final String[] paths = new String[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            paths[i] = frontendPath + "/" + keys[i];
        }
        final ParentLink.Reply[] replies = link.xsReadAll(paths);
        final String[] values = new String[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            values[i] = replies[i].status() < 0 ? null : replies[i].text();
        }
        return values;
    }

    /**
     * Writes keys of the back end's directory, in order, in one round trip (key, value, key, value...).
     */
    void write(final String... keyValues) throws IOException
    {
        final String[] paths = keyValues.clone();
        for (int i = 0; i < paths.length; i += 2)
        {
            paths[i] = backendPath + "/" + paths[i];
        }
        final ParentLink.Reply failed = link.xsWriteAll(paths);
        if (failed != null)
        {
            throw new IOException("cannot write under " + backendPath + ": " + failed.text());
        }
    }
}
