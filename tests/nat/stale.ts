import { listNamespaces, PREFIX, removeNamespaces } from './lab.ts'

/**
 * A lab whose test process was killed (Ctrl-C twice, OOM) leaves namespaces
 * behind. Their names carry the pid of the process that made them: remove the
 * ones whose owner is gone, and never touch a running lab's.
 */
export default async function removeStaleLabs (): Promise<void> {
  const pattern = new RegExp(`^${PREFIX}(\\d+)-`)
  const stale = (await listNamespaces()).filter(name => {
    const pid = pattern.exec(name)?.[1]
    return pid != null && !alive(Number(pid))
  })
  await removeNamespaces(stale)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
