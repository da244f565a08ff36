package io.javisor.netback;

import io.javisor.memory.GrantCopy;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantStatus;

import static io.javisor.memory.PageDescriptor.PAGE_MASK;
import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * Grant copies between a linear buffer in the back end's own memory and one page-bounded piece of a
 * guest's granted frame, split where the local side crosses a page (a grant copy never crosses a
 * page on either side). Reuses one {@link GrantCopy}: allocation-free; one per agent.
 */
final class GrantCopier
{
    private final GrantMapper mapper;
    private final GrantCopy op = new GrantCopy();

    GrantCopier(final GrantMapper mapper)
    {
        this.mapper = mapper;
    }

    /**
     * Copies {@code length} bytes at {@code grantOffset} of grant {@code ref} of {@code domid} to the
     * local guest-physical address {@code localGpa}. The caller has checked that the grant side
     * stays within its page.
     */
    int fromGrant(final int domid, final int ref, final int grantOffset, final long localGpa, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long gpa = localGpa + done;
            final int chunk = Math.min(length - done, PAGE_SIZE - (int)(gpa & PAGE_MASK));
            op.sourceGrant(domid, ref, grantOffset + done)
                .destLocal((int)(gpa >>> PAGE_SHIFT), (int)(gpa & PAGE_MASK))
                .length(chunk);
            final int status = mapper.copy(op);
            if (status != GrantStatus.OKAY)
            {
                return status;
            }
            done += chunk;
        }
        return GrantStatus.OKAY;
    }

    /**
     * Copies {@code length} bytes from the local guest-physical address {@code localGpa} into grant
     * {@code ref} of {@code domid} at {@code grantOffset}.
     */
    int toGrant(final long localGpa, final int domid, final int ref, final int grantOffset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long gpa = localGpa + done;
            final int chunk = Math.min(length - done, PAGE_SIZE - (int)(gpa & PAGE_MASK));
            op.sourceLocal((int)(gpa >>> PAGE_SHIFT), (int)(gpa & PAGE_MASK))
                .destGrant(domid, ref, grantOffset + done)
                .length(chunk);
            final int status = mapper.copy(op);
            if (status != GrantStatus.OKAY)
            {
                return status;
            }
            done += chunk;
        }
        return GrantStatus.OKAY;
    }
}
