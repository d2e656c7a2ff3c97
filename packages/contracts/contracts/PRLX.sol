// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/**
 * @title PRLX
 * @notice The ParalleliX credit token for devnets and tests: ERC-20 with EIP-2612 permit and
 * a minter role for funding accounts. Production deployments use an existing token instead.
 */
contract PRLX is ERC20, ERC20Permit, AccessControl {
    /// @notice Accounts allowed to mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /**
     * @param admin Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE.
     */
    constructor(address admin) ERC20("ParalleliX", "PRLX") ERC20Permit("ParalleliX") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /**
     * @notice Creates `amount` tokens for `to`.
     * @dev Only MINTER_ROLE. Emits the ERC-20 Transfer event from the zero address.
     * @param to The recipient.
     * @param amount The amount to create.
     */
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
