package io.javisor.core.toolstack;

/**
 * A Java guest for the toolstack's tests, started from an xl.cfg by class name: it greets on its
 * console, echoes what is typed until a shutdown is asked for, and says goodbye.
 */
public final class GreeterJavaGuest implements JavaGuest
{
    @Override
    public void run(final Context context) throws Exception
    {
        context.print("greeter: up on domain " + context.resources().domid() + "\n");
        while (!context.shutdownRequested())
        {
            final int b = context.read();
            if (b >= 0)
            {
                context.print("greeter: got " + (char)b + "\n");
            }
            else
            {
                Thread.sleep(5);
            }
        }
        context.print("greeter: bye\n");
    }
}
