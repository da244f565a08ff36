package io.javisor.core.toolstack;

import java.nio.file.Path;
import java.util.List;

/** Turns a domain configuration file and {@code KEY=VALUE} overrides into a {@link DomainSpec}. */
@FunctionalInterface
public interface DomainSpecLoader
{
    /**
     * @throws ToolstackException one line naming the file, the line, the key and why
     */
    DomainSpec load(Path file, List<String> overrides);
}
