import Foundation
import SkeinCommands

exit(await SkeinCommand.run())
