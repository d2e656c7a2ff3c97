// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {BatchSettlement} from "./credits/BatchSettlement.sol";
import {CreditsLedger} from "./credits/CreditsLedger.sol";
import {Withdrawals} from "./credits/Withdrawals.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/**
 * @title ParalleliXAICredits
 * @notice The $PRLX credit vault of ParalleliX. Users deposit and withdraw at any time; the
 * coordinator meters inference off-chain and settles in batches under limits users signed,
 * paying operators their configured share. See README.md for the design.
 */
contract ParalleliXAICredits is BatchSettlement, Withdrawals {
    /**
     * @param token_ The credit token.
     * @param registry_ The operator registry consulted at settlement.
     * @param admin Receives DEFAULT_ADMIN_ROLE and TREASURY_ROLE.
     * @param shareBps_ Operators' share in basis points (e.g. 8500).
     * @param withdrawalDelay_ Delay of delayed withdrawals, in seconds.
     */
    constructor(
        IERC20 token_,
        IOperatorRegistry registry_,
        address admin,
        uint256 shareBps_,
        uint256 withdrawalDelay_
    ) CreditsLedger(token_, registry_, admin, shareBps_, withdrawalDelay_) {}

    /**
     * @notice Moves `amount` from the caller into its credit balance.
     * @dev Needs a prior token approval. Reverts while paused.
     * @param amount The amount to deposit.
     */
    function deposit(uint256 amount) external whenNotPaused {
        _deposit(msg.sender, amount);
    }

    /**
     * @notice Deposits for `user` with its EIP-2612 permit, so one signature suffices.
     * @dev Anyone may submit; the tokens always move from `user` to `user`'s balance. A permit
     * already consumed (front-run) is tolerated when the allowance is in place.
     * @param user The token owner and beneficiary; the permit signer.
     * @param amount The amount to deposit (the permit's value must cover it).
     * @param deadline The permit deadline.
     * @param v Permit signature v.
     * @param r Permit signature r.
     * @param s Permit signature s.
     */
    function depositWithPermit(
        address user,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused {
        try IERC20Permit(address(token)).permit(user, address(this), amount, deadline, v, r, s) {}
        catch {}
        _deposit(user, amount);
    }

    function _deposit(address user, uint256 amount) private {
        if (amount == 0) revert Credits_ZeroAmount();

        _balances[user] += amount;

        emit Deposited(user, amount);
        SafeERC20.safeTransferFrom(token, user, address(this), amount);
    }
}
