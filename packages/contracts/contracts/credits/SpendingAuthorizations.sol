// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {CreditsLedger} from "./CreditsLedger.sol";

/**
 * @title SpendingAuthorizations
 * @notice Users sign (EIP-712) a cap, an expiry and a nonce for one coordinator; settlement
 * by that coordinator may debit them only under that authorization and never past its cap.
 *
 * NOTE: Nonces are sequential per user. Submitting an authorization consumes its nonce and
 * replaces the user's previous authorization for that coordinator (its `spent` restarts at
 * zero, its unspent remainder lapses). Revoking clears the authorization and consumes the
 * next nonce, which also kills any signed authorization not yet submitted.
 */
abstract contract SpendingAuthorizations is CreditsLedger {
    /// @notice EIP-712 type hash of the spending authorization a user signs.
    bytes32 public constant SPENDING_AUTHORIZATION_TYPEHASH = keccak256(
        "SpendingAuthorization(address user,address coordinator,uint256 cap,uint256 expiry,"
        "uint256 nonce)"
    );

    struct Authorization {
        uint96 cap;
        uint96 spent;
        uint40 expiry;
    }

    mapping(address user => mapping(address coordinator => Authorization)) private _authorizations;
    mapping(address user => uint256) private _authorizationNonces;

    /**
     * @notice Installs a spending authorization signed by `user`; anyone may submit it.
     * @dev A cap above 2^96-1 and an expiry above 2^40-1 are stored clamped, which can only
     * narrow what the user signed. Reverts while paused.
     * @param user The account whose balance may be debited; the signer.
     * @param coordinator The coordinator allowed to debit; must hold COORDINATOR_ROLE.
     * @param cap The most that settlement may debit in total under this authorization.
     * @param expiry The last timestamp at which settlement may use it.
     * @param nonce Must equal `authorizationNonce(user)`.
     * @param signature The user's EIP-712 signature (ECDSA or ERC-1271).
     */
    function authorize(
        address user,
        address coordinator,
        uint256 cap,
        uint256 expiry,
        uint256 nonce,
        bytes calldata signature
    ) external whenNotPaused {
        _requireCoordinator(coordinator);
        if (block.timestamp > expiry) revert Credits_AuthorizationExpired(user, expiry);
        uint256 expected = _authorizationNonces[user];
        if (nonce != expected) revert Credits_InvalidNonce(user, expected, nonce);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(SPENDING_AUTHORIZATION_TYPEHASH, user, coordinator, cap, expiry, nonce)
            )
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(user, digest, signature)) {
            revert Credits_InvalidSignature();
        }

        _authorizationNonces[user] = expected + 1;
        _authorizations[user][coordinator] = Authorization({
            cap: uint96(_min(cap, type(uint96).max)),
            spent: 0,
            expiry: uint40(_min(expiry, type(uint40).max))
        });

        emit AuthorizationGranted(user, coordinator, cap, expiry, nonce);
    }

    /**
     * @notice Revokes the caller's authorization for `coordinator` with immediate effect.
     * @dev Also consumes the caller's next nonce, voiding signatures not yet submitted.
     * @param coordinator The coordinator losing the right to debit the caller.
     */
    function revokeAuthorization(address coordinator) external {
        delete _authorizations[msg.sender][coordinator];
        uint256 next = ++_authorizationNonces[msg.sender];

        emit AuthorizationRevoked(msg.sender, coordinator, next);
    }

    /**
     * @notice The live authorization of `user` for `coordinator`.
     * @param user The user.
     * @param coordinator The coordinator.
     * @return cap The total the coordinator may debit (zero when none).
     * @return spent What settlement already debited under it.
     * @return expiry The last usable timestamp (zero when none).
     */
    function authorizationOf(address user, address coordinator)
        external
        view
        returns (uint256 cap, uint256 spent, uint256 expiry)
    {
        Authorization memory auth = _authorizations[user][coordinator];
        return (auth.cap, auth.spent, auth.expiry);
    }

    /**
     * @notice The nonce the next spending authorization of `user` must carry.
     * @param user The user.
     * @return The expected nonce.
     */
    function authorizationNonce(address user) external view returns (uint256) {
        return _authorizationNonces[user];
    }

    /// @dev Debits `amount` from `user` under its authorization for `coordinator`.
    function _spend(address user, address coordinator, uint256 amount) internal {
        Authorization storage auth = _authorizations[user][coordinator];
        (uint256 cap, uint256 spent, uint256 expiry) = (auth.cap, auth.spent, auth.expiry);
        if (expiry == 0) revert Credits_NoAuthorization(user, coordinator);
        if (block.timestamp > expiry) revert Credits_AuthorizationExpired(user, expiry);
        uint256 remaining;
        unchecked {
            remaining = cap - spent;
        }
        if (amount > remaining) revert Credits_CapExceeded(user, remaining, amount);
        uint256 balance = _balances[user];
        if (amount > balance) revert Credits_InsufficientBalance(user, balance, amount);

        // amount <= cap - spent, so the new total fits in 96 bits.
        unchecked {
            auth.spent = uint96(spent + amount);
            _balances[user] = balance - amount;
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
