package io.javisor.ringio.xenstore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A watcher that remembers every event it hears, in order.
 */
final class RecordingWatcher implements XenStoreWatcher
{
    record Event(String path, String token)
    {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void onWatchEvent(final String path, final String token)
    {
        events.add(new Event(path, token));
    }

    List<Event> events()
    {
        return List.copyOf(events);
    }

    List<String> paths()
    {
        return events.stream().map(Event::path).toList();
    }

    void clear()
    {
        events.clear();
    }
}
