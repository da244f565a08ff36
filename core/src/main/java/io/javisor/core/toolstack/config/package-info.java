/**
 * The toolstack's reading of xl.cfg(5) domain config files, as {@code xl create FILE [KEY=VALUE...]}
 * takes them: {@link io.javisor.core.toolstack.config.XlConfigReader} turns bytes into an
 * immutable {@link io.javisor.core.toolstack.config.XlConfig}, or into one
 * {@link io.javisor.core.toolstack.config.XlConfigException} line {@code FILE:LINE: KEY: WHY}.
 * <p>
 * Two steps, one class each: {@code XlConfigLexer} and {@code XlConfigParser} read the syntax into
 * {@link io.javisor.core.toolstack.config.XlSettings} (keys and untyped values with their lines);
 * {@code XlConfigMapper} gives them meaning (types, ranges, defaults, which keys fit which guest type).
 * <p>
 * Where javisor differs from xl, it is stricter, never looser, and says so in the error:
 * <ul>
 *   <li>A key set twice is refused (xl keeps the last); an unknown key is refused (xl ignores it);
 *   {@code root}/{@code extra} with {@code cmdline} is refused (xl ignores the first two).</li>
 *   <li>{@code type} must be exactly {@code pv}, {@code hvm} or {@code java} (xl accepts a prefix,
 *   and has pvh); a number must not be quoted ({@code memory = "512"}) nor start with 0
 *   (xl reads it as octal); an unknown string escape is refused (xl drops it).</li>
 *   <li>Relative paths resolve against the config file's directory, an override's against the
 *   working directory; xl passes them on as written.</li>
 *   <li>Keys are identifiers {@code [A-Za-z_][A-Za-z0-9_]*}; xl's lexer takes lower case only, but
 *   every key either knows is lower case, so only the error differs.</li>
 * </ul>
 */
package io.javisor.core.toolstack.config;
